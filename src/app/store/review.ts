/** Reviewing a run: keeping or rejecting regions and stages, redoing a region, undo/redo. */
import { CancelledError } from '../../client/restoration-client.ts';
import {
  composeReview,
  cropImage,
  cutRect,
  decideRegion,
  decideStage as decideStageIn,
  emptyDecisions,
  grow,
  history,
  reviewLayers,
  withPatch,
  type History,
  type ReviewDecisions,
} from '../../engine/review/index.ts';
import { MARKING_STAGE, stageUI } from '../../stages/ui.ts';
import { client } from '../client.ts';
import { persist, persistDocSoon } from './save.ts';
import { currentGeneration, diffShare, errorMessage, regionsOf, reviewedStages } from './shared.ts';
import type { ReviewSlice, RunState, Slice, Store } from './types.ts';

/** Context a region is redone with, so the model sees the same surroundings as in the full run. */
const REDO_MARGIN = 64;

export const reviewSlice: Slice<ReviewSlice> = (set, get, store) => ({
  decisions: emptyDecisions(),
  undoStack: [],
  redoStack: [],

  selectRegion(id) {
    set({ selectedRegion: id });
  },

  decide(regionId, decision) {
    applyDecisions(store, decideRegion(get().decisions, regionId, decision));
  },

  decideStage(stage, accepted) {
    applyDecisions(store, decideStageIn(get().decisions, stage, accepted, regionsOf(get())));
  },

  async redoRegion(regionId, strength) {
    const { photo, result, status } = get();
    const region = regionsOf(get()).find((r) => r.id === regionId);
    if (!photo || !result || !region || status !== 'idle') return;
    const outcome = result.outcomes.find((o) => o.stage === region.stage);
    const layer = currentLayers(store).find((l) => l.stage === region.stage);
    if (!outcome || !layer) return;
    const gen = currentGeneration();
    set({ status: 'redoing', error: undefined });
    try {
      const { width, height } = photo.image;
      // Global stages (colour levels) measure the whole photo: run them on all of it.
      const whole = stageUI(region.stage)?.meta.scope === 'global';
      const crop = whole ? { x0: 0, y0: 0, x1: width, y1: height } : grow(region.rect, REDO_MARGIN, width, height);
      const [redone] = await client().run(cropImage(layer.before, crop), [{ stage: region.stage, options: { ...outcome.options, strength } }]);
      if (gen !== currentGeneration()) return;
      set({ status: 'idle' });
      applyDecisions(store, withPatch(get().decisions, { regionId, stage: region.stage, rect: region.rect, pixels: cutRect(redone.image, crop.x0, crop.y0, region.rect), strength }));
    } catch (e) {
      if (gen !== currentGeneration()) return;
      set({ status: 'idle', errorAt: 'review', error: e instanceof CancelledError ? undefined : `The region could not be redone: ${errorMessage(e)}` });
    }
  },

  undo() {
    const { undoStack, redoStack, decisions, previousRun } = get();
    if (!undoStack.length) {
      if (previousRun) swapRun(store, 'back');
      return;
    }
    const h = history.undo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
    applyDecisions(store, h.present, h);
  },

  redo() {
    const { undoStack, redoStack, decisions, nextRun } = get();
    if (!redoStack.length) {
      if (nextRun) swapRun(store, 'forward');
      return;
    }
    const h = history.redo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
    applyDecisions(store, h.present, h);
  },
});

/** True when the review holds something a new run would set aside: a decision, a redo or marked damage. */
export function hasReviewWork(d: ReviewDecisions): boolean {
  return Object.keys(d.stages).length > 0 || Object.keys(d.regions).length > 0 || d.patches.length > 0 || d.marked.length > 0;
}

/** Undo past a run's first decision (back to the run it replaced), or redo to it again; saved like a new run. */
function swapRun(store: Store, direction: 'back' | 'forward') {
  const s = store.getState();
  const target = direction === 'back' ? s.previousRun : s.nextRun;
  if (!target || !s.result || s.status !== 'idle') return;
  const current: RunState = { result: s.result, decisions: s.decisions, undoStack: s.undoStack, redoStack: s.redoStack };
  store.setState({
    ...target,
    previousRun: direction === 'back' ? undefined : current,
    nextRun: direction === 'back' ? current : undefined,
    selectedRegion: undefined,
    mark: undefined,
    progress: [],
  });
  recompose(store);
  const outcomes = target.result.outcomes;
  void persist(store, { pixels: outcomes.map((o) => ({ image: o.image, changeMap: o.changeMap })), refreshThumbnail: true });
}

function currentLayers(store: Store) {
  const { photo, result, decisions } = store.getState();
  if (!photo || !result) return [];
  return reviewLayers(photo.image, reviewedStages(result.outcomes), decisions.marked.length ? MARKING_STAGE.id : undefined);
}

/** Recomputes the shown (and exported) image from the run and the decisions. */
export function recompose(store: Store) {
  const s = store.getState();
  const { photo, result, decisions } = s;
  if (!photo || !result) return;
  const image = composeReview(photo.image, currentLayers(store), regionsOf(s), decisions);
  store.setState({ result: { ...result, image, changed: diffShare(photo.image, image) } });
}

/** A new decision state: recorded for undo (unless it comes from undo/redo), shown, saved. */
export function applyDecisions(store: Store, next: ReviewDecisions, h?: History<ReviewDecisions>) {
  const s = store.getState();
  const past = h ?? history.push({ past: s.undoStack, present: s.decisions, future: s.redoStack }, next);
  store.setState({ decisions: next, undoStack: past.past, redoStack: past.future });
  recompose(store);
  persistDocSoon(store);
}
