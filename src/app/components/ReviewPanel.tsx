import { useEffect, useRef, useState } from 'react';
import { isAccepted, type ReviewRegion } from '../../engine/review/index.ts';
import { stageUI } from '../../stages/ui.ts';
import { StrengthSlider } from './StrengthSlider.tsx';
import { allRegions, useStore } from '../store/index.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

const pct = (v: number) => `${v < 0.01 ? (v * 100).toFixed(1) : Math.round(v * 100)}%`;

/** A short name for a region: what it is and how much of the photo it covers. */
export function regionTitle(r: ReviewRegion, index: number, photoPixels: number): string {
  const what =
    r.kind === 'change' ? 'Area' : r.damageClass === 'missing' ? 'Missing area' : r.invented ? 'Filled area' : r.unsure ? 'Possible scratch or speck' : 'Scratch or speck';
  const sure = r.confidence !== undefined && r.confidence < 1 ? ` · ${Math.round(r.confidence * 100)}% sure` : '';
  return `${what} ${index + 1} · ${pct(r.pixels / photoPixels)} of the photo${sure}`;
}

/** Rows shown per stage before "Show all" (a dusty scan can have hundreds of specks). */
const LIST_LIMIT = 25;

/**
 * The review: every region the run found (and the damage the user marked), by
 * stage, largest change first; accept, reject or redo each; accept or reject a
 * stage as a whole; undo and redo every decision.
 */
export function ReviewPanel() {
  const photo = useStore((s) => s.photo);
  const result = useStore((s) => s.result);
  const decisions = useStore((s) => s.decisions);
  const status = useStore((s) => s.status);
  const mark = useStore((s) => s.mark);
  // Past the first decision, Undo goes back to the run this one replaced (and Redo returns).
  const canUndo = useStore((s) => s.undoStack.length > 0 || !!s.previousRun);
  const canRedo = useStore((s) => s.redoStack.length > 0 || !!s.nextRun);
  const runUndo = useStore((s) => s.undoStack.length === 0 && !!s.previousRun);
  const runRedo = useStore((s) => s.redoStack.length === 0 && !!s.nextRun);
  const { undo, redo, decideStage, startMarking } = useStore.getState();
  const [showAll, setShowAll] = useState<Record<string, boolean>>({});
  const selected = useStore((s) => s.selectedRegion);

  // A region selected on the photo may be past the rows shown: show its stage's whole list.
  useEffect(() => {
    const region = selected ? allRegions().find((r) => r.id === selected) : undefined;
    if (!region) return;
    const index = allRegions().filter((r) => r.stage === region.stage).indexOf(region);
    if (index >= LIST_LIMIT) setShowAll((all) => (all[region.stage] ? all : { ...all, [region.stage]: true }));
  }, [selected]);

  // Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z or Ctrl+Y redoes (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement)?.closest?.('input[type=text], input[type=number], textarea')) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) useStore.getState().undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') useStore.getState().redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!photo || !result) return null;
  const regions = allRegions();
  const n = photo.image.width * photo.image.height;
  const stages = [...new Set([...result.outcomes.map((o) => o.stage), ...regions.map((r) => r.stage)])].sort(
    (a, b) => (stageUI(a)?.meta.order ?? 0) - (stageUI(b)?.meta.order ?? 0),
  );
  const busy = status !== 'idle';
  return (
    <section className="review" aria-label="Review" data-testid="review-panel">
      <div className="review-head">
        <h2>Review</h2>
        <div className="actions">
          <button type="button" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z" title={runUndo ? 'Undo: back to the previous run and its review (Ctrl+Z)' : 'Undo (Ctrl+Z)'}>
            Undo
          </button>
          <button type="button" onClick={redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" title={runRedo ? 'Redo: back to the newer run (Ctrl+Shift+Z)' : 'Redo (Ctrl+Shift+Z)'}>
            Redo
          </button>
        </div>
      </div>
      {runUndo && (
        <p className="small muted" data-testid="previous-run-note">
          A new run replaced the previous review; Undo brings it back.
        </p>
      )}
      {status === 'redoing' && (
        <p className="working" role="status">
          Working on it…
        </p>
      )}
      <p className="muted">
        Each change can be kept or undone where it happened: the areas each repair changed most. Click one on the photo or in the list to
        outline it; tick Outlines under the photo to see them all.
      </p>
      {stages.map((stage) => {
        const label = stageUI(stage)?.meta.label ?? stage;
        const list = regions.filter((r) => r.stage === stage);
        // Pressed only when it says what is so: after one area is rejected, neither "Keep all" nor "Undo all" is.
        const keptAll = decisions.stages[stage] !== false && list.every((r) => isAccepted(decisions, r));
        const undoneAll = decisions.stages[stage] === false && !list.some((r) => isAccepted(decisions, r));
        const shown = showAll[stage] ? list : list.slice(0, LIST_LIMIT);
        return (
          <section key={stage} className="review-stage" data-stage={stage} aria-label={`${label} review`}>
            <header>
              <h3>{label}</h3>
              <div className="segmented" role="group" aria-label={`${label}: whole photo`}>
                <button type="button" aria-pressed={keptAll} onClick={() => decideStage(stage, true)} disabled={busy}>
                  Keep all
                </button>
                <button type="button" aria-pressed={undoneAll} onClick={() => decideStage(stage, false)} disabled={busy}>
                  Undo all
                </button>
              </div>
            </header>
            {list.length === 0 ? (
              <p className="muted small">{stageUI(stage)?.meta.control === 'mask' ? 'No damage found or marked.' : 'Changes are spread evenly; no area stands out.'}</p>
            ) : (
              <ol className="regions" aria-label={`${label} regions`}>
                {shown.map((r, i) => (
                  <RegionRow key={r.id} region={r} title={regionTitle(r, i, n)} busy={busy} />
                ))}
              </ol>
            )}
            {list.length > shown.length && (
              <button type="button" className="link" onClick={() => setShowAll({ ...showAll, [stage]: true })}>
                Show all {list.length}
              </button>
            )}
          </section>
        );
      })}
      {/* A failed redo or fill says so here, beside the fill controls. */}
      <ErrorAlert place="review" />
      {!mark && (
        <button type="button" onClick={() => startMarking()} disabled={busy}>
          Mark damage to fill…
        </button>
      )}
      {mark && <MarkTools />}
    </section>
  );
}

function RegionRow({ region, title, busy }: { region: ReviewRegion; title: string; busy: boolean }) {
  const decisions = useStore((s) => s.decisions);
  const selected = useStore((s) => s.selectedRegion === region.id);
  const outcome = useStore((s) => s.result?.outcomes.find((o) => o.stage === region.stage));
  const { decide, selectRegion, redoRegion, startMarking } = useStore.getState();
  const accepted = isAccepted(decisions, region);
  const patch = decisions.patches.find((p) => p.regionId === region.id);
  const current = patch?.strength ?? outcome?.options.strength ?? 1;
  const [strength, setStrength] = useState(current);
  const [open, setOpen] = useState(false);
  const row = useRef<HTMLLIElement>(null);
  useEffect(() => setStrength(current), [current]);
  // Selected on the photo: bring its row into view.
  useEffect(() => {
    if (selected) row.current?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);
  const pending = !!region.needsConfirm && decisions.regions[region.id] === undefined && decisions.stages[region.stage] !== false;
  return (
    <li ref={row} className={`region${selected ? ' selected' : ''}${accepted ? '' : ' rejected'}`} data-region={region.id}>
      <button type="button" className="link region-name" aria-pressed={selected} onClick={() => selectRegion(selected ? undefined : region.id)}>
        {title}
      </button>
      {region.invented && (
        <span className="badge invented" title="Most of this area was made up by the app, not recovered from the photo.">
          invented
        </span>
      )}
      {patch?.strength !== undefined && <span className="badge">redone at {Math.round(patch.strength * 100)}%</span>}
      {pending && (
        <p className="small hint" data-testid="needs-confirm">
          {region.invented
            ? 'Not filled yet: the photo is missing here, so any fill is invented. Look at it, then fill it if it helps.'
            : 'Not filled yet: the detector is unsure this is damage (bright details and grain can look like it). Look at it, then fill it if it is.'}
        </p>
      )}
      <div className="segmented" role="group" aria-label={title}>
        <button type="button" aria-pressed={accepted} onClick={() => decide(region.id, 'accepted')} disabled={busy}>
          {pending ? 'Fill it' : 'Keep'}
        </button>
        <button type="button" aria-pressed={!accepted} onClick={() => decide(region.id, 'rejected')} disabled={busy}>
          Reject
        </button>
        {region.kind === 'change' ? (
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} disabled={busy}>
            Redo…
          </button>
        ) : (
          <button type="button" onClick={() => startMarking(region.id)} disabled={busy}>
            Edit mask…
          </button>
        )}
      </div>
      {open && region.kind === 'change' && outcome && (
        <div className="redo">
          <StrengthSlider label="Redo strength" value={strength} onChange={setStrength} disabled={busy} />
          <button
            type="button"
            onClick={() => {
              setOpen(false);
              void redoRegion(region.id, strength);
            }}
            disabled={busy}
          >
            Redo this area
          </button>
        </div>
      )}
    </li>
  );
}

/** Brush and eraser for marking damage, then fill it. */
function MarkTools() {
  const mark = useStore((s) => s.mark)!;
  const status = useStore((s) => s.status);
  const { setMarkTool, fillMarked, cancelMarking } = useStore.getState();
  const marked = mark.mask.some(Boolean);
  const snapping = mark.snapping > 0;
  return (
    <div className="mark-tools" role="group" aria-label="Mark damage" data-testid="mark-tools">
      <p className="small">
        {mark.editing ? 'Brush to add to this area, erase what is not damage, then fill it again.' : 'Brush over scratches, specks or holes the repair missed, then fill them.'}
      </p>
      <div className="segmented" role="group" aria-label="Tool">
        <button type="button" aria-pressed={mark.tool === 'brush'} onClick={() => setMarkTool({ tool: 'brush' })}>
          Brush
        </button>
        <button type="button" aria-pressed={mark.tool === 'eraser'} onClick={() => setMarkTool({ tool: 'eraser' })}>
          Eraser
        </button>
      </div>
      <label className="snap-toggle">
        <input
          type="checkbox"
          role="switch"
          checked={mark.snap}
          onChange={(e) => setMarkTool({ snap: e.target.checked })}
          aria-describedby="snap-hint"
          aria-keyshortcuts="S"
          title="Snap to damage (S on the photo)"
        />
        Snap to damage
      </label>
      <p className="small muted" id="snap-hint">
        {mark.snap
          ? 'The brush marks only the scratch or crack under each stroke; the rest of the stroke stays as it is. Turn it off for tears and holes.'
          : 'The brush marks the whole stroke: for tears, holes and stains.'}
      </p>
      <label>
        Size {mark.size}px
        <input type="range" min={2} max={200} value={mark.size} onChange={(e) => setMarkTool({ size: Number(e.target.value) })} aria-label="Brush size" />
      </label>
      <p className="small" role="status" data-testid="mark-status">
        {snapping
          ? 'Finding the damage under the stroke…'
          : mark.lastSnap?.pixels === 0
            ? 'Nothing under the last stroke stands out as damage. Brush closer along it, or turn off Snap to damage to mark the whole stroke.'
            : mark.lastSnap?.by === 'contrast'
              ? 'Marked in red: what stands out under the stroke (the damage detector is not available, so by contrast alone).'
              : marked
                ? 'Marked in red: what will be filled.'
                : ''}
      </p>
      <div className="actions">
        <button type="button" className="primary" disabled={status !== 'idle' || snapping || (!marked && !mark.editing)} onClick={() => void fillMarked()}>
          {mark.editing ? 'Redo fill' : 'Fill marked area'}
        </button>
        <button type="button" onClick={cancelMarking}>
          Cancel
        </button>
      </div>
    </div>
  );
}
