/**
 * App state (zustand): one store built from a slice per concern, and the actions that drive
 * the restoration worker. Pixel buffers live here too but are left out of `snapshot()`, the
 * plain view the tests read through `window.__heirloom.state()`.
 */
import { create } from 'zustand';
import type { ReviewRegion } from '../../engine/review/index.ts';
import { markingSlice } from './marking.ts';
import { projectsSlice } from './projects.ts';
import { reviewSlice } from './review.ts';
import { runSlice } from './run.ts';
import { sessionSlice } from './session.ts';
import { regionsOf } from './shared.ts';
import { snapshot as snapshotOf } from './snapshot.ts';
import type { AppState } from './types.ts';

export const useStore = create<AppState>()((...a) => ({
  ...sessionSlice(...a),
  ...runSlice(...a),
  ...reviewSlice(...a),
  ...markingSlice(...a),
  ...projectsSlice(...a),
}));

/** The run's regions and the user's marked ones. */
export function allRegions(): ReviewRegion[] {
  return regionsOf(useStore.getState());
}

/** A plain, JSON-safe view of the state (no pixels, no functions). */
export function snapshot() {
  return snapshotOf(useStore);
}

export { errorMessage } from './shared.ts';
export { hasReviewWork } from './review.ts';
export type * from './types.ts';
