/**
 * Pure updates of the review decisions (each returns a new object, so the app's
 * undo history is a list of snapshots) and an undo/redo history.
 */
import { cropRGBA, type RGBAImage } from '../image.ts';
import type { RegionDecision, RegionPatch, ReviewDecisions } from './compose.ts';
import type { Rect, ReviewRegion } from './regions.ts';

export function decideRegion(d: ReviewDecisions, regionId: string, decision: RegionDecision): ReviewDecisions {
  return { ...d, regions: { ...d.regions, [regionId]: decision } };
}

/** Accept or reject a stage everywhere: its region decisions are reset to follow it. */
export function decideStage(d: ReviewDecisions, stage: string, accepted: boolean, regions: ReviewRegion[]): ReviewDecisions {
  const ids = new Set(regions.filter((r) => r.stage === stage).map((r) => r.id));
  const kept = Object.fromEntries(Object.entries(d.regions).filter(([id]) => !ids.has(id)));
  return { ...d, stages: { ...d.stages, [stage]: accepted }, regions: kept };
}

/** A region redone: its patch replaces any earlier one, and the region counts as accepted. */
export function withPatch(d: ReviewDecisions, patch: RegionPatch): ReviewDecisions {
  return {
    ...d,
    patches: [...d.patches.filter((p) => p.regionId !== patch.regionId), patch],
    regions: { ...d.regions, [patch.regionId]: 'accepted' },
  };
}

/** Newly marked and filled damage; `replaces` (a marked region redone with an edited mask) goes away. */
export function withMarked(d: ReviewDecisions, added: { region: ReviewRegion; patch: RegionPatch }[], replaces?: string): ReviewDecisions {
  const drop = (id: string) => id === replaces;
  const regions = Object.fromEntries(Object.entries(d.regions).filter(([id]) => !drop(id)));
  // A region the run found is not deleted (it is part of the run's record) but rejected:
  // the user's re-marked version, later in the list, takes its place.
  if (replaces && !d.marked.some((r) => r.id === replaces)) regions[replaces] = 'rejected';
  for (const a of added) regions[a.region.id] = 'accepted';
  return {
    ...d,
    marked: [...d.marked.filter((r) => !drop(r.id)), ...added.map((a) => a.region)],
    patches: [...d.patches.filter((p) => !drop(p.regionId)), ...added.map((a) => a.patch)],
    regions,
  };
}

export function patchFor(d: ReviewDecisions, regionId: string): RegionPatch | undefined {
  return d.patches.find((p) => p.regionId === regionId);
}

/** The pixels of `rect` (photo coordinates) out of `crop`, whose top-left is at (cropX, cropY). */
export function cutRect(crop: RGBAImage, cropX: number, cropY: number, rect: Rect): Uint8ClampedArray {
  return cropRGBA(crop, rect.x0 - cropX, rect.y0 - cropY, rect.x1 - rect.x0, rect.y1 - rect.y0).data;
}

/** `rect` grown by `margin` on every side, clipped to the photo. */
export function grow(rect: Rect, margin: number, width: number, height: number): Rect {
  return { x0: Math.max(0, rect.x0 - margin), y0: Math.max(0, rect.y0 - margin), x1: Math.min(width, rect.x1 + margin), y1: Math.min(height, rect.y1 + margin) };
}

export function cropImage(img: RGBAImage, r: Rect): RGBAImage {
  return cropRGBA(img, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
}

/** Undo/redo over immutable snapshots. */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

const LIMIT = 100;

export const history = {
  start<T>(present: T): History<T> {
    return { past: [], present, future: [] };
  },
  push<T>(h: History<T>, next: T): History<T> {
    return { past: [...h.past, h.present].slice(-LIMIT), present: next, future: [] };
  },
  undo<T>(h: History<T>): History<T> {
    if (!h.past.length) return h;
    return { past: h.past.slice(0, -1), present: h.past.at(-1)!, future: [h.present, ...h.future] };
  },
  redo<T>(h: History<T>): History<T> {
    if (!h.future.length) return h;
    return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) };
  },
};
