/**
 * Review regions: the parts of a restoration the user decides on one by one.
 *
 * - `change` regions: where a strength stage (denoise, colour, sharpen) changed the
 *   photo most. Found on a grid of `cell`-pixel blocks of the stage's change map, so
 *   a 24-megapixel photo yields a handful of regions, not thousands of specks.
 * - `damage` regions: connected groups of a fill mask (a scratch, a dust cluster, a
 *   hole), kept at pixel resolution because the fill must not touch anything else.
 */
import { damageCertainty } from '../damage/certainty.ts';
import { classMask, damageConfidenceOf, type DamageClass } from '../damage/damage-map.ts';
import type { Rect } from '../image.ts';
import { maskRegions } from '../mask-regions.ts';

export type { Rect };

export interface ReviewRegion {
  /** Stable across reloads: derived from the stage and the data it was found in. */
  id: string;
  stage: string;
  kind: 'change' | 'damage';
  rect: Rect;
  /** Size in photo pixels of one mask cell (1 = pixel mask). */
  cell: number;
  /** ceil(w / cell) x ceil(h / cell) cells over `rect`, non-zero = in the region. */
  mask: Uint8Array;
  /** Pixels in the region. */
  pixels: number;
  /** Mean change inside (8-bit units): what "largest change first" sorts by, with the size. */
  meanChange: number;
  /** Content made up by the app rather than recovered (large fills): flagged in the review and the export record. */
  invented: boolean;
  /** Damage regions: a thin defect (filled from its surroundings) or a missing area (content invented). */
  damageClass?: DamageClass;
  /** Damage the detector found: its mean probability over the region (0..1). */
  confidence?: number;
  /**
   * Kept only once the user says so: invented content (found missing areas, wide fills), and
   * every found defect on a photo the detector is unsure about (engine/damage/certainty.ts).
   */
  needsConfirm?: boolean;
  /** Found by a detector that is unsure the photo is damaged: a suggestion to check. */
  unsure?: boolean;
}

export const CHANGE_CELL = 16;
/**
 * A fill whose region is thicker than this somewhere (twice the largest distance from an inside
 * pixel to the region's edge) is mostly invented content, not the repair of a thin defect. A crack
 * network spreads over a large box but stays thin, and is filled from its surroundings.
 */
export const INVENTED_MIN_THICKNESS = 12;

/** Twice the largest chessboard distance from a mask pixel to the nearest pixel outside it (w x h mask). */
export function maskThickness(mask: Uint8Array, w: number, h: number): number {
  const d = new Uint16Array(w * h);
  const INF = 65535;
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? INF : 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i]) d[i] = Math.min(d[i], at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + 1, at(x + 1, y - 1) + 1);
    }
  }
  let max = 0;
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i]) d[i] = Math.min(d[i], at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + 1, at(x - 1, y + 1) + 1);
      max = Math.max(max, d[i]);
    }
  }
  return 2 * max;
}

export function maskWidth(r: ReviewRegion): number {
  return Math.ceil((r.rect.x1 - r.rect.x0) / r.cell);
}

/** Whether photo pixel (x, y) belongs to the region. */
export function inRegion(r: ReviewRegion, x: number, y: number): boolean {
  if (x < r.rect.x0 || y < r.rect.y0 || x >= r.rect.x1 || y >= r.rect.y1) return false;
  return r.mask[(((y - r.rect.y0) / r.cell) | 0) * maskWidth(r) + (((x - r.rect.x0) / r.cell) | 0)] !== 0;
}

/** Calls fn(x, y, index) for every photo pixel of the region, row by row. */
export function forEachRegionPixel(r: ReviewRegion, width: number, fn: (x: number, y: number, index: number) => void): void {
  const mw = maskWidth(r);
  for (let y = r.rect.y0; y < r.rect.y1; y++) {
    const row = (((y - r.rect.y0) / r.cell) | 0) * mw;
    for (let x = r.rect.x0; x < r.rect.x1; x++) {
      if (r.mask[row + (((x - r.rect.x0) / r.cell) | 0)]) fn(x, y, y * width + x);
    }
  }
}

export interface ChangeRegionOptions {
  cell?: number;
  /** At most this many regions per stage (the rest of the change belongs to the stage as a whole). */
  maxRegions?: number;
  /** A block counts only if its mean change is at least this (8-bit units)... */
  minMeanChange?: number;
  /** ...and among the top share of blocks by change. */
  topShare?: number;
}

/** Regions where a strength stage changed the photo most, largest total change first. */
export function changeRegions(stage: string, changeMap: Uint8Array, width: number, height: number, opts: ChangeRegionOptions = {}): ReviewRegion[] {
  const cell = opts.cell ?? CHANGE_CELL;
  const maxRegions = opts.maxRegions ?? 12;
  const minMean = opts.minMeanChange ?? 4;
  const gw = Math.ceil(width / cell), gh = Math.ceil(height / cell);
  const sums = new Float64Array(gw * gh), counts = new Uint32Array(gw * gh);
  for (let y = 0; y < height; y++) {
    const gy = ((y / cell) | 0) * gw;
    for (let x = 0; x < width; x++) {
      const g = gy + ((x / cell) | 0);
      sums[g] += changeMap[y * width + x];
      counts[g]++;
    }
  }
  const means = Array.from(sums, (s, i) => s / counts[i]);
  const sorted = [...means].sort((a, b) => a - b);
  const cut = Math.max(minMean, sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (1 - (opts.topShare ?? 0.2))))] ?? 0);
  const blocks = new Uint8Array(gw * gh);
  for (let i = 0; i < blocks.length; i++) blocks[i] = means[i] >= cut && means[i] > 0 ? 1 : 0;
  const labels = new Int32Array(blocks.length);
  const found = maskRegions(blocks, gw, gh, labels).map((b) => {
    const mw = b.x1 - b.x0, mh = b.y1 - b.y0;
    const mask = new Uint8Array(mw * mh);
    let pixels = 0, change = 0;
    for (let y = b.y0; y < b.y1; y++) {
      for (let x = b.x0; x < b.x1; x++) {
        if (labels[y * gw + x] !== b.label) continue;
        mask[(y - b.y0) * mw + x - b.x0] = 1;
        pixels += counts[y * gw + x];
        change += sums[y * gw + x];
      }
    }
    const rect = { x0: b.x0 * cell, y0: b.y0 * cell, x1: Math.min(width, b.x1 * cell), y1: Math.min(height, b.y1 * cell) };
    return { rect, mask, pixels, change };
  });
  return found
    .sort((a, b) => b.change - a.change)
    .slice(0, maxRegions)
    .map((f) => ({
      id: `${stage}:change:${f.rect.x0},${f.rect.y0},${f.rect.x1},${f.rect.y1}`,
      stage,
      kind: 'change' as const,
      rect: f.rect,
      cell,
      mask: f.mask,
      pixels: f.pixels,
      meanChange: f.change / f.pixels,
      invented: false,
    }));
}

/**
 * Damage regions of a fill mask (full photo size, non-zero = damaged): one per
 * connected group, with its pixel mask. `idPrefix` keeps ids unique per source
 * (the run's mask, or one brushing by the user).
 */
export function damageRegions(stage: string, mask: Uint8Array, width: number, height: number, idPrefix: string): ReviewRegion[] {
  const labels = new Int32Array(width * height);
  return maskRegions(mask, width, height, labels).map((b) => {
    const w = b.x1 - b.x0, h = b.y1 - b.y0;
    const local = new Uint8Array(w * h);
    for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) if (labels[y * width + x] === b.label) local[(y - b.y0) * w + x - b.x0] = 1;
    return {
      id: `${stage}:${idPrefix}:${b.x0},${b.y0},${b.x1},${b.y1}`,
      stage,
      kind: 'damage' as const,
      rect: { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 },
      cell: 1,
      mask: local,
      pixels: b.pixels,
      meanChange: 255,
      invented: maskThickness(local, w, h) > INVENTED_MIN_THICKNESS,
    };
  });
}

/**
 * Regions of a fill stage's damage map (engine/damage/damage-map.ts): one per connected
 * group of each class, with its mean confidence. Missing areas and wide fills are invented
 * content and wait for the user's confirmation; thin defects are kept unless rejected, when
 * the detector is sure the photo is damaged, and otherwise wait as suggestions.
 */
export function damageMapRegions(stage: string, map: Uint8Array, width: number, height: number, idPrefix: string): ReviewRegion[] {
  const { sure } = damageCertainty(map, (i) => damageConfidenceOf(map[i]), width, height);
  return (['defect', 'missing'] as const).flatMap((cls) =>
    damageRegions(stage, classMask(map, cls), width, height, `${idPrefix}-${cls}`).map((r) => {
      let sum = 0;
      forEachRegionPixel(r, width, (_x, _y, k) => (sum += damageConfidenceOf(map[k])));
      const missing = cls === 'missing';
      const invented = missing || r.invented;
      return { ...r, damageClass: cls, confidence: sum / r.pixels, invented, needsConfirm: invented || !sure, unsure: !sure };
    }),
  );
}

/** Largest change first: regions that matter most at the top of the list. */
export function byImportance(a: ReviewRegion, b: ReviewRegion): number {
  return b.pixels * b.meanChange - a.pixels * a.meanChange;
}

/**
 * The region's outline as an SVG path in photo pixels: every cell edge with no
 * region cell on its other side, merged along rows and columns.
 */
export function regionOutlinePath(r: ReviewRegion): string {
  const mw = maskWidth(r), mh = Math.ceil((r.rect.y1 - r.rect.y0) / r.cell);
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < mw && y < mh && r.mask[y * mw + x] !== 0;
  const X = (cx: number) => Math.min(r.rect.x1, r.rect.x0 + cx * r.cell);
  const Y = (cy: number) => Math.min(r.rect.y1, r.rect.y0 + cy * r.cell);
  const parts: string[] = [];
  // Horizontal edges: between row y-1 and row y.
  for (let y = 0; y <= mh; y++) {
    let start = -1;
    for (let x = 0; x <= mw; x++) {
      const edge = x < mw && on(x, y - 1) !== on(x, y);
      if (edge && start < 0) start = x;
      if (!edge && start >= 0) {
        parts.push(`M${X(start)} ${Y(y)}H${X(x)}`);
        start = -1;
      }
    }
  }
  for (let x = 0; x <= mw; x++) {
    let start = -1;
    for (let y = 0; y <= mh; y++) {
      const edge = y < mh && on(x - 1, y) !== on(x, y);
      if (edge && start < 0) start = y;
      if (!edge && start >= 0) {
        parts.push(`M${X(x)} ${Y(start)}V${Y(y)}`);
        start = -1;
      }
    }
  }
  return parts.join('');
}
