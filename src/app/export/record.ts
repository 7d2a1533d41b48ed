/**
 * The record of AI edits embedded in exports: plain JSON in an XMP packet
 * (`heirloom:EditRecord`), with a one-sentence `dc:description` for people
 * and, when content was generated, the IPTC digital-source-type term that
 * platforms read to flag AI-generated parts.
 */

export interface EditRecordStage {
  stage: string;
  label: string;
  method: 'model' | 'classical';
  model?: { id: string; version: string };
  /** How a classical stage worked, in words (e.g. deconvolution of an estimated camera shake). */
  detail?: string;
  strength: number;
  /** Share of pixels this stage changed by more than 2/255 (0..1). */
  changedShare: number;
  /** True for stages that invent pixels that were not in the photo (fill of missing areas). */
  generated: boolean;
}

/** One reviewed region: where it is and what the user decided. */
export interface EditRecordRegion {
  stage: string;
  /** [x, y, width, height] in photo pixels. */
  box: [number, number, number, number];
  decision: 'accepted' | 'rejected';
  /** Set when the user redid the region with another strength. */
  strength?: number;
  /** Marked by the user (rather than found by the app). */
  marked: boolean;
  /** Content made up by the app (large fills). */
  invented: boolean;
  /**
   * The user decided it (kept or rejected it, or its repair as a whole, redid or marked it);
   * false when it was left as the app made it. Absent in records written before it was kept.
   */
  decided?: boolean;
}

export interface EditRecord {
  format: 'heirloom-edit-record';
  formatVersion: 1;
  app: string;
  appVersion: string;
  /** When the restoration ran (ISO 8601). */
  date: string;
  /** When this file was exported (ISO 8601). */
  exported: string;
  source: string;
  stages: EditRecordStage[];
  /** Share of pixels the whole restoration changed (0..1). */
  changedShare: number;
  contentGenerated: boolean;
  /** Stages the user rejected as a whole (their change is not in the file). */
  rejectedStages: string[];
  regions: EditRecordRegion[];
}

// A URN, not a web address: XMP namespaces are identifiers, and nothing is ever fetched from them.
export const XMP_NAMESPACE = 'urn:heirloom:xmp:1.0#';
const IPTC_GENERATED = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';

/** A share in words, never "0%" for something that changed a few pixels. */
const pct = (v: number) => (v > 0 && v < 0.001 ? '<0.1%' : v > 0 && v < 0.01 ? `${(v * 100).toFixed(1)}%` : `${Math.round(v * 100)}%`);

/** What happened to the regions: how many the user decided, and what the rest were left as. */
function describeRegions(regions: EditRecordRegion[]): string {
  if (!regions.length) return '';
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const decided = regions.filter((g) => g.decided !== false);
  const left = regions.filter((g) => g.decided === false);
  const rejected = decided.filter((g) => g.decision === 'rejected').length;
  const parts: string[] = [];
  if (decided.length) parts.push(`${plural(decided.length, 'area', 'areas')} decided by the user (${rejected} rejected)`);
  if (left.length) {
    const kept = left.filter((g) => g.decision === 'accepted').length;
    parts.push(
      kept === left.length
        ? `${plural(left.length, 'area', 'areas')} kept as the app made ${left.length === 1 ? 'it' : 'them'}, not reviewed`
        : `${plural(left.length, 'area', 'areas')} left at the app's default, not reviewed (${kept} kept, ${left.length - kept} not applied)`,
    );
  }
  return `${parts.join('; ')}. `;
}

/** The sentence for `dc:description`. */
export function describeRecord(r: EditRecord): string {
  const stages = r.stages
    .map((s) => {
      // detail says what else went in (the deblur stage may mix deconvolution into the model's result)
      const how = `${s.method === 'model' && s.model ? `model ${s.model.id} ${s.model.version}` : 'classical method'}${s.detail ? `: ${s.detail}` : ''}`;
      return `${s.label} (${how}, strength ${pct(s.strength)}, ${pct(s.changedShare)} of pixels changed)`;
    })
    .join('; ');
  return (
    `Restored with ${r.app} ${r.appVersion} on ${r.date.slice(0, 10)}: ${stages || 'no repairs'}. ` +
    `${pct(r.changedShare)} of pixels changed in all. ` +
    (r.rejectedStages?.length ? `Rejected by the user: ${r.rejectedStages.join(', ')}. ` : '') +
    describeRegions(r.regions ?? []) +
    (r.contentGenerated ? 'Some content was generated (invented) by the app.' : 'No content was generated.')
  );
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

/** A complete XMP packet (UTF-8 text) carrying the record. */
export function buildXmp(r: EditRecord): string {
  const generated = r.contentGenerated
    ? `\n   <Iptc4xmpExt:DigitalSourceType>${IPTC_GENERATED}</Iptc4xmpExt:DigitalSourceType>`
    : '';
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:heirloom="${XMP_NAMESPACE}">
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(describeRecord(r))}</rdf:li></rdf:Alt></dc:description>
   <xmp:CreatorTool>${escapeXml(`${r.app} ${r.appVersion}`)}</xmp:CreatorTool>
   <xmp:ModifyDate>${escapeXml(r.exported)}</xmp:ModifyDate>${generated}
   <heirloom:EditRecord>${escapeXml(JSON.stringify(r))}</heirloom:EditRecord>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/** Reads the record back from an XMP packet (for tests and for re-opening our own exports). */
export function parseEditRecord(xmp: string): EditRecord | undefined {
  const m = /<heirloom:EditRecord>([\s\S]*?)<\/heirloom:EditRecord>/.exec(xmp);
  if (!m) return undefined;
  try {
    return JSON.parse(unescapeXml(m[1])) as EditRecord;
  } catch {
    return undefined;
  }
}

export interface EditRecordInput {
  app: string;
  appVersion: string;
  source: string;
  date: string;
  exported: string;
  changedShare: number;
  /** `generates`: the stage puts pixels where the photo had none or had damage (its meta says so); what it changed is generated content. */
  stages: (Omit<EditRecordStage, 'generated'> & { generates?: boolean })[];
  rejectedStages?: string[];
  regions?: EditRecordRegion[];
}

export function buildEditRecord(input: EditRecordInput): EditRecord {
  const round = (v: number) => Math.round(v * 10000) / 10000;
  // Shares to a millionth: a few filled specks on a large scan are not 0.
  const share = (v: number) => Math.round(v * 1e6) / 1e6;
  const regions = input.regions ?? [];
  const rejectedStages = input.rejectedStages ?? [];
  const stages = input.stages.map(({ generates, ...s }) => ({
    ...s,
    strength: round(s.strength),
    changedShare: share(s.changedShare),
    generated:
      !rejectedStages.includes(s.stage) &&
      ((!!generates && s.changedShare > 0) || regions.some((r) => r.stage === s.stage && r.invented && r.decision === 'accepted')),
  }));
  return {
    format: 'heirloom-edit-record',
    formatVersion: 1,
    app: input.app,
    appVersion: input.appVersion,
    date: input.date,
    exported: input.exported,
    source: input.source,
    stages,
    changedShare: share(input.changedShare),
    contentGenerated: stages.some((s) => s.generated),
    rejectedStages,
    regions,
  };
}
