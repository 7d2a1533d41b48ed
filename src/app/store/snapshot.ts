/** The plain view of the state the end-to-end tests read through `window.__heirloom.state()`. */
import { isAccepted } from '../../engine/review/index.ts';
import { regionsOf } from './shared.ts';
import type { StageChoice, Store } from './types.ts';

/** Deep copy without functions; typed arrays (masks, maps) become a short description. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? `${x.constructor.name}(${x.byteLength} bytes)` : x)));
}

/** A plain, JSON-safe view of the state (no pixels, no functions). */
export function snapshot(store: Store) {
  const s = store.getState();
  return {
    status: s.status,
    error: s.error ?? null,
    errorAt: s.errorAt ?? null,
    runtime: s.runtime ?? null,
    runtimeError: s.runtimeError ?? null,
    download: s.download ?? null,
    offline: { ...s.offline },
    photo: s.photo ? { name: s.photo.name, width: s.photo.image.width, height: s.photo.image.height, notes: s.photo.notes ?? [] } : null,
    analysis: s.analysis ? plain(s.analysis) : null,
    choices: plain(s.choices) as Record<string, StageChoice>,
    progress: s.progress.map((p) => ({ ...p })),
    result: s.result
      ? {
          width: s.result.image.width,
          height: s.result.image.height,
          changed: s.result.changed,
          finishedAt: s.result.finishedAt,
          stages: s.result.stages.map((r) => ({ ...r })),
        }
      : null,
    runs: { back: !!s.previousRun, forward: !!s.nextRun },
    selectedRegion: s.selectedRegion ?? null,
    updateAvailable: s.updateAvailable,
    project: s.project ? { ...s.project } : null,
    projects: s.projects.map(({ thumbnail: _t, ...p }) => ({ ...p, stages: [...p.stages] })),
    decisions: plain(s.decisions),
    review: {
      regions: regionsOf(s).map((r) => ({
        id: r.id,
        stage: r.stage,
        kind: r.kind,
        rect: { ...r.rect },
        cell: r.cell,
        pixels: r.pixels,
        invented: r.invented,
        damageClass: r.damageClass ?? null,
        confidence: r.confidence ?? null,
        needsConfirm: !!r.needsConfirm,
        accepted: isAccepted(s.decisions, r),
        // Small masks only (tests compare pixels inside a region).
        mask: r.mask.length <= 20000 ? Array.from(r.mask) : null,
      })),
      undo: s.undoStack.length,
      redo: s.redoStack.length,
      marking: s.mark
        ? {
            tool: s.mark.tool,
            size: s.mark.size,
            snap: s.mark.snap,
            snapping: s.mark.snapping,
            lastSnap: s.mark.lastSnap ? { ...s.mark.lastSnap } : null,
            editing: s.mark.editing ?? null,
            markedPixels: s.mark.mask.reduce((n, v) => n + (v ? 1 : 0), 0),
          }
        : null,
    },
  };
}
