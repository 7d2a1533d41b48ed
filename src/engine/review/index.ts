/**
 * The review step's model: regions found in a run, the user's decisions on them,
 * and the photo those decisions compose to. No UI and no worker here, so the CLI
 * and the unit tests use exactly what the app does.
 */
import type { RGBAImage } from '../image.ts';
import { composeReview, GLOBAL_FEATHER, type ReviewDecisions, type ReviewLayer } from './compose.ts';
import { byImportance, changeRegions, damageMapRegions, type ReviewRegion } from './regions.ts';

export * from './compose.ts';
export * from './decisions.ts';
export * from './regions.ts';

export interface ReviewedStage {
  stage: string;
  image: RGBAImage;
  /** The fill's is its damage map (engine/damage/damage-map.ts). */
  changeMap: Uint8Array;
  /** Mask-driven (fill) stages give damage regions; the others change regions. */
  control: 'strength' | 'mask';
  /** 'global' stages (colour) blend a rejected or redone region into the rest over a soft edge. */
  scope?: 'local' | 'global';
}

/**
 * The layers of a run: each stage against the image it ran on. When the user marked damage on a
 * run without the stage that fills it (`marking`, the mask-driven stage's id), a layer for it that
 * changes nothing is added first.
 */
export function reviewLayers(original: RGBAImage, stages: ReviewedStage[], marking?: string): ReviewLayer[] {
  const layers: ReviewLayer[] = stages.map((s, i) => ({ stage: s.stage, before: i === 0 ? original : stages[i - 1].image, after: s.image, feather: s.scope === 'global' ? GLOBAL_FEATHER : 0, masked: s.control === 'mask' }));
  if (marking && !layers.some((l) => l.stage === marking)) layers.unshift({ stage: marking, before: original, after: original, feather: 0, masked: true });
  return layers;
}

/** Every region of a run, largest change first within each stage, plus the damage the user marked. */
export function runRegions(stages: Pick<ReviewedStage, 'stage' | 'changeMap' | 'control'>[], width: number, height: number, marked: ReviewRegion[] = []): ReviewRegion[] {
  const found = stages.flatMap((s) =>
    s.control === 'mask'
      ? damageMapRegions(s.stage, s.changeMap, width, height, 'run').sort(byImportance)
      : changeRegions(s.stage, s.changeMap, width, height),
  );
  return [...found, ...marked];
}

/** How a stage's layer composes: a reviewed stage less its pixels (held apart, in the worker). */
export type LayerSpec = Omit<ReviewedStage, 'image' | 'changeMap'>;

/** A run's pixels for composing its review: its input, each stage's output, the regions it found. */
export interface HeldLayers {
  original: RGBAImage;
  images: RGBAImage[];
  regions: ReviewRegion[];
}

/** The reviewed photo from a run's layers and the decisions, and the share of pixels it changes. */
export function composeHeld(held: HeldLayers, stages: LayerSpec[], decisions: ReviewDecisions, marking?: string): { image: RGBAImage; changed: number } {
  if (held.images.length !== stages.length) throw new Error('composeHeld: one image per stage');
  const reviewed = stages.map((s, i): ReviewedStage => ({ ...s, image: held.images[i], changeMap: NO_MAP }));
  const layers = reviewLayers(held.original, reviewed, decisions.marked.length ? marking : undefined);
  const image = composeReview(held.original, layers, [...held.regions, ...decisions.marked], decisions);
  return { image, changed: diffShare(held.original, image) };
}

const NO_MAP = new Uint8Array(0);

/** Share of pixels whose colour differs by more than 2/255 in any channel. */
export function diffShare(a: RGBAImage, b: RGBAImage): number {
  const n = a.width * a.height;
  let changed = 0;
  for (let p = 0; p < n * 4; p += 4) {
    if (Math.abs(a.data[p] - b.data[p]) > 2 || Math.abs(a.data[p + 1] - b.data[p + 1]) > 2 || Math.abs(a.data[p + 2] - b.data[p + 2]) > 2) changed++;
  }
  return n ? changed / n : 0;
}
