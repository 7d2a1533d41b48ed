import { useEffect, useId, useState } from 'react';
import { MARKING_STAGE, stageUI } from '../../stages/ui.ts';
import { APP_NAME, APP_VERSION } from '../app-info.ts';
import { download, exportComparison, exportImage } from '../export/encode.ts';
import { buildEditRecord, describeSourceMetadata, FORMAT_INFO, readSourceMetadata, type ExportFormat, type SourceMetadataInfo } from '../export/index.ts';
import { isAccepted } from '../../engine/review/index.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { allRegions, errorMessage, useStore, type Photo, type Result, type ReviewDecisions } from '../store/index.ts';

function editRecord(photo: Photo, result: Result, decisions: ReviewDecisions) {
  const regions = allRegions().map((r) => ({
    stage: r.stage,
    box: [r.rect.x0, r.rect.y0, r.rect.x1 - r.rect.x0, r.rect.y1 - r.rect.y0] as [number, number, number, number],
    decision: isAccepted(decisions, r) ? ('accepted' as const) : ('rejected' as const),
    strength: decisions.patches.find((p) => p.regionId === r.id)?.strength,
    marked: decisions.marked.some((m) => m.id === r.id),
    invented: r.invented,
    decided:
      decisions.regions[r.id] !== undefined ||
      decisions.stages[r.stage] !== undefined ||
      decisions.patches.some((p) => p.regionId === r.id) ||
      decisions.marked.some((m) => m.id === r.id),
  }));
  const ran = new Set(result.outcomes.map((o) => o.stage));
  return buildEditRecord({
    app: APP_NAME,
    appVersion: APP_VERSION,
    source: photo.name,
    date: result.finishedAt,
    exported: new Date().toISOString(),
    changedShare: result.changed,
    stages: result.outcomes.map((o) => ({
      stage: o.stage,
      label: stageUI(o.stage)?.meta.label ?? o.stage,
      method: o.method,
      model: o.model,
      detail: o.detail,
      strength: o.options.strength,
      changedShare: o.changed,
      generates: stageUI(o.stage)?.meta.generates,
    })).concat(
      // Damage the user marked and had filled, on a run without the stage that fills it.
      decisions.marked.length && !ran.has(MARKING_STAGE.id)
        ? [{ stage: MARKING_STAGE.id, label: MARKING_STAGE.label, method: 'classical', model: undefined, detail: undefined, strength: 1, changedShare: decisions.marked.reduce((n, r) => n + r.pixels, 0) / (photo.image.width * photo.image.height), generates: MARKING_STAGE.generates }]
        : [],
    ),
    rejectedStages: Object.entries(decisions.stages).filter(([, ok]) => !ok).map(([stage]) => stage),
    regions,
  });
}

function describeExif(info: SourceMetadataInfo): string {
  if (info.exifUnreadable) return 'The original’s EXIF is damaged and will not be copied.';
  if (!info.exif) return 'The original has no EXIF (date, camera) to copy.';
  const parts = [
    info.exif.date && `date ${info.exif.date.slice(0, 10).replace(/:/g, '-')}`,
    (info.exif.make || info.exif.model) && `camera ${[info.exif.make, info.exif.model].filter(Boolean).join(' ')}`,
    info.exif.hasGps && 'location',
  ].filter(Boolean);
  return parts.length ? `The original’s EXIF has: ${parts.join(', ')}.` : 'The original has EXIF.';
}

/** Download the result (PNG, JPEG, WebP) with the original's metadata and the edit record, or a before/after image. */
export function ExportPanel() {
  const photo = useStore((s) => s.photo);
  const result = useStore((s) => s.result);
  const restoring = useStore((s) => s.status !== 'idle');
  const [format, setFormat] = useState<ExportFormat>('jpeg');
  const [quality, setQuality] = useState(92);
  const [keepExif, setKeepExif] = useState(true);
  const [removeLocation, setRemoveLocation] = useState(false);
  const [includeRecord, setIncludeRecord] = useState(true);
  const [busy, setBusy] = useState(false);
  const [notes, setNotes] = useState<string[]>([]);
  const [info, setInfo] = useState<SourceMetadataInfo>({});
  const qualityId = useId();

  useEffect(() => {
    let live = true;
    setInfo({});
    if (photo) void readSourceMetadata(photo.bytes).then((m) => live && setInfo(describeSourceMetadata(m)));
    return () => {
      live = false;
    };
  }, [photo]);

  if (!photo || !result) return null;

  const run = async (what: 'image' | 'comparison') => {
    setBusy(true);
    setNotes([]);
    try {
      const record = includeRecord ? editRecord(photo, result, useStore.getState().decisions) : undefined;
      const file =
        what === 'image'
          ? await exportImage({
              image: result.image,
              format,
              quality: quality / 100,
              originalBytes: photo.bytes,
              originalName: photo.name,
              choices: { keepExif, removeLocation, includeRecord },
              record,
            })
          : await exportComparison(photo.image, result.image, photo.name, record);
      download(file);
      setNotes([`Saved ${file.filename}.`, ...file.notes]);
    } catch (e) {
      useStore.setState({ errorAt: 'export', error: `Export failed: ${errorMessage(e)}` });
    } finally {
      setBusy(false);
    }
  };

  const lossy = format !== 'png';
  return (
    <section className="export" aria-labelledby="export-title" data-testid="export-panel">
      <h2 id="export-title">Export</h2>
      <fieldset className="formats" disabled={busy || restoring}>
        <legend>Format</legend>
        {(Object.keys(FORMAT_INFO) as ExportFormat[]).map((f) => (
          <label key={f}>
            <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} /> {FORMAT_INFO[f].label}
          </label>
        ))}
      </fieldset>
      {lossy && (
        <div className="strength">
          <label htmlFor={qualityId}>Quality</label>
          <input
            id={qualityId}
            type="range"
            min={50}
            max={100}
            step={1}
            value={quality}
            disabled={busy}
            aria-valuetext={`${quality} percent`}
            onChange={(e) => setQuality(Number(e.target.value))}
          />
          <output htmlFor={qualityId}>{quality}%</output>
        </div>
      )}
      <div className="export-options">
        <label>
          <input type="checkbox" name="keep-exif" checked={keepExif && !!info.exif} disabled={busy || !info.exif} onChange={(e) => setKeepExif(e.target.checked)} /> Keep
          the original’s details (date, camera)
        </label>
        <label>
          <input
            type="checkbox"
            name="remove-location"
            checked={removeLocation && !!info.exif?.hasGps}
            disabled={busy || !keepExif || !info.exif?.hasGps}
            onChange={(e) => setRemoveLocation(e.target.checked)}
          />{' '}
          Remove location (GPS){info.exif && !info.exif.hasGps && <span className="muted"> — none in this photo</span>}
        </label>
        <label>
          <input type="checkbox" name="include-record" checked={includeRecord} disabled={busy} onChange={(e) => setIncludeRecord(e.target.checked)} />{' '}
          Include a record of the edits
        </label>
        <p className="hint">
          {describeExif(info)} {info.icc && (info.icc.isSRGB ? 'Its colour profile is kept.' : 'Its colour profile is converted to sRGB.')} The record lists
          each repair, its method and model, and whether any content was generated. Full resolution: {result.image.width}×{result.image.height}.
        </p>
      </div>
      <div className="actions wrap">
        <button type="button" className="primary" onClick={() => void run('image')} disabled={busy || restoring}>
          {busy ? 'Exporting…' : `Download ${FORMAT_INFO[format].label}`}
        </button>
        <button type="button" onClick={() => void run('comparison')} disabled={busy || restoring}>
          Download before/after (PNG)
        </button>
      </div>
      <ErrorAlert place="export" />
      {notes.length > 0 && (
        <ul className="export-notes" aria-live="polite">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
