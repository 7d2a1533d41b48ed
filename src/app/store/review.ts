/** Reviewing a run: keeping or rejecting regions and stages, redoing a region, undo/redo. */
import { CancelledError } from '../../worker/restoration-client.ts';
import type { RGBAImage } from '../../engine/image.ts';
import {
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
import { currentGeneration, errorMessage, regionsOf, reviewedStages } from './shared.ts';
import type { AppState, Result, ReviewSlice, RunState, Slice, StageOutcome, Store } from './types.ts';

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
    void applyDecisions(store, (s) => ({ next: decideRegion(s.decisions, regionId, decision) }));
  },

  decideStage(stage, accepted) {
    void applyDecisions(store, (s) => ({ next: decideStageIn(s.decisions, stage, accepted, regionsOf(s)) }));
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
      const pixels = cutRect(redone.image, crop.x0, crop.y0, region.rect);
      await applyDecisions(store, (s) => ({ next: withPatch(s.decisions, { regionId, stage: region.stage, rect: region.rect, pixels, strength }) }), { status: 'idle' });
    } catch (e) {
      if (gen !== currentGeneration()) return;
      set({ status: 'idle', errorAt: 'review', error: e instanceof CancelledError ? undefined : `The region could not be redone: ${errorMessage(e)}` });
    }
  },

  undo() {
    void inTurn(() => {
      const { undoStack, redoStack, decisions, previousRun } = get();
      if (!undoStack.length) return previousRun ? swapRun(store, 'back') : undefined;
      const h = history.undo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
      return showDecisions(store, { next: h.present, h });
    });
  },

  redo() {
    void inTurn(() => {
      const { undoStack, redoStack, decisions, nextRun } = get();
      if (!redoStack.length) return nextRun ? swapRun(store, 'forward') : undefined;
      const h = history.redo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
      return showDecisions(store, { next: h.present, h });
    });
  },
});

/** True when the review holds something a new run would set aside: a decision, a redo or marked damage. */
export function hasReviewWork(d: ReviewDecisions): boolean {
  return Object.keys(d.stages).length > 0 || Object.keys(d.regions).length > 0 || d.patches.length > 0 || d.marked.length > 0;
}

/** Undo past a run's first decision (back to the run it replaced), or redo to it again; saved like a new run. */
async function swapRun(store: Store, direction: 'back' | 'forward') {
  const s = store.getState();
  const target = direction === 'back' ? s.previousRun : s.nextRun;
  if (!s.photo || !target || !s.result || s.status !== 'idle') return;
  const shown = await composed(s.photo.image, target.result, target.decisions);
  if (!unchanged(store, s)) return;
  const current: RunState = { result: s.result, decisions: s.decisions, undoStack: s.undoStack, redoStack: s.redoStack };
  store.setState({
    ...target,
    result: { ...target.result, ...shown },
    previousRun: direction === 'back' ? undefined : current,
    nextRun: direction === 'back' ? current : undefined,
    selectedRegion: undefined,
    mark: undefined,
    progress: [],
  });
  const outcomes = target.result.outcomes;
  void persist(store, { pixels: outcomes.map((o) => ({ image: o.image, changeMap: o.changeMap })), refreshThumbnail: true });
}

function currentLayers(store: Store) {
  const { photo, result, decisions } = store.getState();
  if (!photo || !result) return [];
  return reviewLayers(photo.image, reviewedStages(result.outcomes), decisions.marked.length ? MARKING_STAGE.id : undefined);
}

/** Which layers the worker holds: one key per run's outputs. */
const layerKeys = new WeakMap<StageOutcome[], string>();
let lastKey = 0;

export function newLayersKey(): string {
  return `layers-${++lastKey}`;
}

/** Names a run's outputs by the key the worker kept them under. */
export function keptAs(outcomes: StageOutcome[], key: string) {
  layerKeys.set(outcomes, key);
}

/**
 * The shown (and exported) photo for a run and decisions, and the share of pixels it changes:
 * composed in the worker, which holds the run's layers, so the page never runs a full-size pass.
 */
export async function composed(original: RGBAImage, result: Pick<Result, 'outcomes' | 'regions'>, decisions: ReviewDecisions): Promise<{ image: RGBAImage; changed: number }> {
  let key = layerKeys.get(result.outcomes);
  if (!key) keptAs(result.outcomes, (key = newLayersKey()));
  const layers = () => ({ original, images: result.outcomes.map((o) => o.image), regions: result.regions });
  const stages = reviewedStages(result.outcomes).map(({ image: _i, changeMap: _c, ...spec }) => spec);
  const compose = () => client().composeReview(key, layers, stages, decisions, MARKING_STAGE.id);
  // The worker was replaced meanwhile (a cancelled run): the fresh one is sent the layers.
  return compose().catch((e) => (e instanceof CancelledError ? compose() : Promise.reject(e)));
}

/** Review changes wait for each other: each starts from the state the previous one left. */
let queue: Promise<unknown> = Promise.resolve();

function inTurn(job: () => Promise<void> | void): Promise<void> {
  const turn = queue.then(job);
  queue = turn.catch(() => undefined);
  return turn;
}

/** Nothing replaced the photo or the run while composing. */
function unchanged(store: Store, before: AppState): boolean {
  const now = store.getState();
  return now.photo === before.photo && now.result?.outcomes === before.result?.outcomes;
}

type Change = { next: ReviewDecisions; h?: History<ReviewDecisions> };

/**
 * A new decision state, from the state when its turn comes: recorded for undo (unless it comes
 * from undo/redo), shown with its composed photo in one update (with `also`), saved.
 */
export function applyDecisions(store: Store, change: (s: AppState) => Change, also: Partial<AppState> = {}): Promise<void> {
  return inTurn(() => showDecisions(store, change(store.getState()), also));
}

async function showDecisions(store: Store, { next, h }: Change, also: Partial<AppState> = {}) {
  const s = store.getState();
  const past = h ?? history.push({ past: s.undoStack, present: s.decisions, future: s.redoStack }, next);
  const update = { ...also, decisions: next, undoStack: past.past, redoStack: past.future };
  try {
    const shown = s.photo && s.result && (await composed(s.photo.image, s.result, next));
    if (!unchanged(store, s)) return;
    const result = store.getState().result;
    store.setState({ ...update, ...(result && shown && { result: { ...result, ...shown } }) });
    persistDocSoon(store);
  } catch (e) {
    if (unchanged(store, s)) store.setState({ ...also, errorAt: 'review', error: `The reviewed photo could not be composed: ${errorMessage(e)}` });
  }
}
