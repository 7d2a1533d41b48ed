/**
 * The real-photo bench: the automatic path exactly as the app runs it (analysis, the proposed
 * stages at their proposed strengths, the run, and the review's default composition, which is
 * what the app shows and exports) on every photo of a folder, judged by the do-no-harm rules
 * (rules.ts), since real old photos have no clean original to score against.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proposeStages, type AnalysisReport } from '../../../engine/analysis/index.ts';
import { classMask } from '../../../engine/damage/damage-map.ts';
import { rgbaToPlanar, type RGBAImage } from '../../../engine/image.ts';
import { composeReview, emptyDecisions, isAccepted, reviewLayers, runRegions, type ReviewedStage, type ReviewRegion } from '../../../engine/review/index.ts';
import type { RestorationService } from '../../../engine/service/restoration-service.ts';
import { stageRegistry } from '../../../stages/index.ts';
import { decodeFile } from '../../cli/node-image.ts';
import { haloRms } from '../../../engine/metrics/index.ts';
import { counts } from '../../../stages/fill/eval.ts';
import { checkRules, HUE_MIN_CAST, type RuleReport } from './rules.ts';
import { hueDistance } from '../../../engine/analysis/tone.ts';
import { writeOverview, writePhotoSheet, type SheetLine } from './sheet.ts';

/** Hand-made masks of the visible damage on real prints: a photo with one here counts as damaged. */
export const REAL_MASKS_DIR = fileURLToPath(new URL('../real-masks/', import.meta.url));

const PHOTO_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.bmp']);
/** A stage "changed" a pixel when some channel moved by more than this (8-bit levels). */
export const CHANGED_LEVELS = 8;

export interface RealRow {
  photo: string;
  width: number;
  height: number;
  proposed: { stage: string; strength: number }[];
  damage: { defect: number; missing: number; sampled: number };
  noiseSigma: number;
  meanL: [number, number];
  blackL: [number, number];
  whiteL: [number, number];
  hue: [number, number];
  chroma: [number, number];
  toned: boolean;
  grey: boolean;
  /** Share of pixels each stage changed by more than CHANGED_LEVELS in the composed photo. */
  changed: Record<string, number>;
  halo?: number;
  newlyClipped: number;
  newHue: number;
  damaged: boolean;
  /** Against the hand-made mask, where one exists: the shown fill's recall and precision. */
  mask?: { recall: number; precision: number };
  harms: string[];
  report: string[];
  ms: number;
}

function changedShare(a: RGBAImage, b: RGBAImage, levels = CHANGED_LEVELS): { share: number; mask: Uint8Array } {
  const n = a.width * a.height, mask = new Uint8Array(n);
  let c = 0;
  for (let k = 0, p = 0; k < n; k++, p += 4) {
    if (Math.abs(a.data[p] - b.data[p]) > levels || Math.abs(a.data[p + 1] - b.data[p + 1]) > levels || Math.abs(a.data[p + 2] - b.data[p + 2]) > levels) {
      mask[k] = 1;
      c++;
    }
  }
  return { share: c / n, mask };
}

async function readMask(path: string, width: number, height: number): Promise<Uint8Array | undefined> {
  if (!existsSync(path)) return undefined;
  const { image } = await decodeFile(path);
  if (image.width !== width || image.height !== height) throw new Error(`${path}: mask is ${image.width}x${image.height}, photo ${width}x${height}`);
  const m = new Uint8Array(width * height);
  for (let k = 0; k < m.length; k++) m[k] = image.data[k * 4] > 127 ? 1 : 0;
  return m;
}

function maskScore(found: Uint8Array, truth: Uint8Array) {
  const { tp, fp, fn } = counts(found, truth);
  return { recall: tp / Math.max(1, tp + fn), precision: tp / Math.max(1, tp + fp) };
}

export interface RealBenchOptions {
  data: string;
  out: string;
  masks?: string;
  limit?: number;
  /** Run the fill with "Follow cracks further" ticked (engine/damage/follow-cracks.ts), as a user may. */
  followCracks?: boolean;
  onRow?(row: RealRow): void;
}

/** The analysis' own words, one line per defect. */
function reportLines(a: AnalysisReport): string[] {
  return a.defects.map((d) => `${d.defect}: ${d.verdict}${d.proposedStage ? ` -> ${d.proposedStage}` : ''}. ${d.reason}`);
}

export async function benchPhoto(
  service: RestorationService,
  image: RGBAImage,
  name: string,
  truth?: Uint8Array,
  followCracks = false,
): Promise<{ row: RealRow; after: RGBAImage; rules: RuleReport }> {
  const t0 = performance.now();
  const analysis = await service.analyze(image);
  const proposals = proposeStages(analysis, service.stages.ids());
  const options = (stage: string, strength: number) => ({ strength, ...(followCracks && stage === 'fill' ? { followCracks } : {}) });
  const results = await service.run(image, proposals.map((p) => ({ stage: p.stage, options: options(p.stage, p.strength) })), {}, analysis);
  const stages: ReviewedStage[] = results.map((r) => ({ stage: r.stage, image: r.image, changeMap: r.changeMap, control: stageRegistry.get(r.stage).meta.control, scope: stageRegistry.get(r.stage).meta.scope }));
  const { width, height } = image;
  const layers = reviewLayers(image, stages);
  const regions: ReviewRegion[] = runRegions(stages, width, height);
  const decisions = emptyDecisions();
  const after = composeReview(image, layers, regions, decisions);
  // Each stage's share of the composed photo: the composition with only that stage on.
  const changed: Record<string, number> = {};
  let fillMask: Uint8Array | undefined;
  for (const r of results) {
    const only = { ...decisions, stages: Object.fromEntries(results.filter((o) => o.stage !== r.stage).map((o) => [o.stage, false])) };
    const c = changedShare(image, composeReview(image, layers, regions, only));
    changed[r.stage] = c.share;
    if (r.stage === 'fill') fillMask = c.mask;
  }
  const fill = results.find((r) => r.stage === 'fill');
  const share = (m: Uint8Array) => m.reduce((s, v) => s + (v ? 1 : 0), 0) / m.length;
  const shares = fill ? { defect: share(classMask(fill.changeMap, 'defect')), missing: share(classMask(fill.changeMap, 'missing')) } : { defect: 0, missing: 0 };
  const deblur = results.find((r) => r.stage === 'deblur');
  const deblurInput = deblur ? (results[results.indexOf(deblur) - 1]?.image ?? image) : undefined;
  const halo = deblur ? haloRms(rgbaToPlanar(deblur.image), rgbaToPlanar(deblurInput!)) : undefined;
  const verdict = (d: string) => analysis.defects.find((v) => v.defect === d);
  const damageSample = analysis.defects.find((d) => d.defect === 'damage');
  const rules = checkRules({
    before: image,
    after,
    castRepair: !!verdict('colour')?.repairs?.includes('cast'),
    rangeRepair: !!verdict('fading')?.repairs?.includes('range'),
    noiseSigma: analysis.measurements.noiseSigma,
    proposed: proposals.map((p) => p.stage),
    fillShare: changed.fill ?? 0,
    inventedApplied: regions.filter((r) => r.stage === 'fill' && r.invented && isAccepted(decisions, r)).length,
    damaged: !!truth,
    halo,
  });
  const row: RealRow = {
    photo: name,
    width, height,
    proposed: proposals.map((p) => ({ stage: p.stage, strength: Math.round(p.strength * 100) / 100 })),
    damage: { defect: shares.defect, missing: shares.missing, sampled: damageSample?.severity ?? 0 },
    noiseSigma: analysis.measurements.noiseSigma,
    meanL: [rules.before.meanL, rules.after.meanL],
    blackL: [rules.before.p1L, rules.after.p1L],
    whiteL: [rules.before.p99L, rules.after.p99L],
    hue: [rules.before.hue, rules.after.hue],
    chroma: [rules.before.cast, rules.after.cast],
    toned: rules.before.toned,
    grey: rules.before.grey,
    changed,
    halo,
    newlyClipped: rules.newlyClipped,
    newHue: rules.newHue,
    damaged: !!truth,
    mask: truth && maskScore(fillMask ?? new Uint8Array(truth.length), truth),
    harms: rules.harms,
    report: reportLines(analysis),
    ms: Math.round(performance.now() - t0),
  };
  return { row, after, rules };
}

const f1 = (v: number) => v.toFixed(1);
const pc = (v: number) => `${(v * 100).toFixed(2)}%`;

export function formatRow(r: RealRow): string {
  const stages = r.proposed.map((p) => `${p.stage} ${p.strength}`).join(', ') || '-';
  const changed = Object.entries(r.changed).map(([s, v]) => `${s} ${pc(v)}`).join(' ') || '-';
  const kind = r.grey ? 'grey' : r.toned ? 'toned' : 'colour';
  return [
    r.photo.padEnd(28),
    kind.padEnd(6),
    `[${stages}]`,
    `damage ${pc(r.damage.defect)}/${pc(r.damage.missing)}`,
    `noise ${f1(r.noiseSigma)}`,
    `dL ${f1(r.meanL[1] - r.meanL[0])}`,
    `black ${f1(r.blackL[0])}->${f1(r.blackL[1])}`,
    `white ${f1(r.whiteL[0])}->${f1(r.whiteL[1])}`,
    `hue ${Math.round(r.hue[0])}->${Math.round(r.hue[1])} C ${f1(r.chroma[0])}->${f1(r.chroma[1])}`,
    `changed ${changed}`,
    r.halo === undefined ? '' : `halo ${r.halo.toFixed(2)}`,
    r.mask ? `mask R ${r.mask.recall.toFixed(2)} P ${r.mask.precision.toFixed(2)}` : '',
    r.harms.length ? `HARM: ${r.harms.join('; ')}` : 'ok',
  ].filter(Boolean).join('  ');
}

function sheetLines(r: RealRow): SheetLine[] {
  return [
    { text: `${r.width}x${r.height}, ${r.grey ? 'grey' : r.toned ? 'toned monochrome' : 'colour'}, noise ${f1(r.noiseSigma)}` },
    { text: `stages: ${r.proposed.map((p) => `${p.stage} ${p.strength}`).join(', ') || 'none proposed'}` },
    { text: `damage found: defect ${pc(r.damage.defect)}, missing ${pc(r.damage.missing)}` },
    { text: `mean L* ${f1(r.meanL[0])} -> ${f1(r.meanL[1])}; black ${f1(r.blackL[0])} -> ${f1(r.blackL[1])}; white ${f1(r.whiteL[0])} -> ${f1(r.whiteL[1])}` },
    { text: `mean a*b*: hue ${Math.round(r.hue[0])}° -> ${Math.round(r.hue[1])}°, chroma ${f1(r.chroma[0])} -> ${f1(r.chroma[1])}` },
    { text: `changed > ${CHANGED_LEVELS}: ${Object.entries(r.changed).map(([s, v]) => `${s} ${pc(v)}`).join(', ') || 'nothing'}` },
    ...(r.halo === undefined ? [] : [{ text: `blur stage halo/speckle ${r.halo.toFixed(2)}` }]),
    ...(r.mask ? [{ text: `vs hand mask: recall ${r.mask.recall.toFixed(2)}, precision ${r.mask.precision.toFixed(2)}` }] : []),
    ...(r.harms.length ? r.harms.map((h) => ({ text: `HARM: ${h}`, harm: true })) : [{ text: 'no rule broken' }]),
    { text: '' },
    ...r.report.flatMap((l) => wrap(l, 74).map((text) => ({ text }))),
  ];
}

function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(' ')) {
    if (line && line.length + w.length + 1 > width) {
      out.push(line);
      line = '  ' + w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

export interface RealSummary {
  photos: number;
  harmed: number;
  harmedPhotos: string[];
  /** Photos whose black point sat above L* 15, and how many the path brought to L* 8 or below. */
  liftedBlacks: number;
  liftedBlacksRestored: number;
  meanAbsDeltaL: number;
  meanHueShift: number;
  meanChanged: Record<string, number>;
  proposedCount: Record<string, number>;
  undamagedFillMax: number;
}

export async function runRealBench(service: RestorationService, opts: RealBenchOptions): Promise<{ rows: RealRow[]; summary: RealSummary }> {
  await mkdir(opts.out, { recursive: true });
  const masks = opts.masks ?? REAL_MASKS_DIR;
  let files = (await readdir(opts.data)).filter((f) => PHOTO_EXT.has(extname(f).toLowerCase())).sort();
  if (opts.limit) files = files.slice(0, opts.limit);
  if (!files.length) throw new Error(`no photos in ${opts.data}`);
  const rows: RealRow[] = [];
  const cells = [];
  for (const f of files) {
    const { image } = await decodeFile(join(opts.data, f));
    const name = basename(f, extname(f));
    const truth = await readMask(join(masks, `${name}.png`), image.width, image.height);
    const { row, after } = await benchPhoto(service, image, f, truth, opts.followCracks);
    rows.push(row);
    opts.onRow?.(row);
    await writePhotoSheet(join(opts.out, `${name}.png`), image, after, f, sheetLines(row));
    cells.push({ name: f, before: image, after, harm: row.harms.length > 0, caption: `${row.proposed.map((p) => p.stage).join(', ') || 'nothing proposed'}${row.harms.length ? ` - HARM (${row.harms.length})` : ''}` });
  }
  await writeOverview(join(opts.out, 'overview.png'), cells);
  await writeFile(join(opts.out, 'bench.json'), JSON.stringify(rows, null, 1));
  const mean = (f: (r: RealRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const stagesSeen = [...new Set(rows.flatMap((r) => Object.keys(r.changed)))];
  const lifted = rows.filter((r) => r.blackL[0] > 15);
  const hueShift = (r: RealRow) => (Math.max(r.chroma[0], r.chroma[1]) >= HUE_MIN_CAST ? hueDistance(r.hue[0], r.hue[1]) : 0);
  const summary: RealSummary = {
    photos: rows.length,
    harmed: rows.filter((r) => r.harms.length).length,
    harmedPhotos: rows.filter((r) => r.harms.length).map((r) => r.photo),
    liftedBlacks: lifted.length,
    liftedBlacksRestored: lifted.filter((r) => r.blackL[1] <= 8).length,
    meanAbsDeltaL: mean((r) => Math.abs(r.meanL[1] - r.meanL[0])),
    meanHueShift: mean(hueShift),
    meanChanged: Object.fromEntries(stagesSeen.map((s) => [s, mean((r) => r.changed[s] ?? 0)])),
    proposedCount: Object.fromEntries(stagesSeen.map((s) => [s, rows.filter((r) => r.proposed.some((p) => p.stage === s)).length])),
    undamagedFillMax: Math.max(0, ...rows.filter((r) => !r.damaged).map((r) => r.changed.fill ?? 0)),
  };
  return { rows, summary };
}
