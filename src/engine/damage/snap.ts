/**
 * The snapping brush: a rough stroke over a scratch or crack marks only the damaged pixels
 * under it, so the fill leaves the rest of the stroke untouched. A stroke pixel is damage when
 * the detector gives it even a low probability (the user has already said there is damage
 * here, so doubt counts for it), or when it stands out from its neighbourhood: its luma is
 * more than SNAP_CONTRAST x the crop's noise away from the local median, the bright or dark
 * line the median ignores. What is found is grown by a pixel to take the line's soft edge,
 * never past the stroke.
 */
import type { RGBAImage } from '../image.ts';
import { dilate } from '../classical/tophat-damage.ts';

/** A stroke pixel is damage from this detector probability (its own threshold is 0.5). */
export const SNAP_PROBABILITY = 0.2;
/** ...or from this many noise sigmas away from the local median. */
export const SNAP_CONTRAST = 4;
/** Noise (8-bit levels) assumed at least, so a clean synthetic or flat area does not turn every small step into damage. */
export const SNAP_NOISE_FLOOR = 2;
/** The median window's radius is the brush's diameter (a crack fills under half of it), within these bounds. */
export const MIN_SNAP_RADIUS = 3;
export const MAX_SNAP_RADIUS = 24;

/** The detector runs on blocks of this side that hold stroke pixels, each with this much context around it. */
export const SNAP_BLOCK = 256;
export const SNAP_CONTEXT = 32;

/** The median window for a brush of this diameter (photo pixels). */
export function snapRadius(brushSize: number): number {
  return Math.min(MAX_SNAP_RADIUS, Math.max(MIN_SNAP_RADIUS, Math.round(brushSize)));
}

export interface SnapOptions {
  /** Median window radius (see snapRadius). */
  radius: number;
  /** The detector's damage probability per crop pixel, if it ran. */
  probability?: Float32Array;
}

/** The bounding box of a mask's set pixels, inclusive-exclusive; undefined when none is set. */
export function maskBounds(mask: Uint8Array, width: number, height: number) {
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : undefined;
}

/**
 * A probability plane over the crop, from `probe` (the detector) run only on the SNAP_BLOCK blocks
 * that hold stroke pixels, each seen with SNAP_CONTEXT pixels around it; 0 elsewhere. A long
 * diagonal stroke then costs the blocks along it, not its whole bounding box.
 */
export async function probabilityNearStroke(
  img: RGBAImage,
  stroke: Uint8Array,
  probe: (tile: RGBAImage) => Promise<Float32Array>,
  block = SNAP_BLOCK,
  context = SNAP_CONTEXT,
): Promise<Float32Array> {
  const { width, height } = img;
  const out = new Float32Array(width * height);
  for (let by = 0; by < height; by += block) {
    for (let bx = 0; bx < width; bx += block) {
      const x1 = Math.min(width, bx + block), y1 = Math.min(height, by + block);
      if (!anySet(stroke, width, bx, by, x1, y1)) continue;
      const cx0 = Math.max(0, bx - context), cy0 = Math.max(0, by - context);
      const cw = Math.min(width, x1 + context) - cx0, ch = Math.min(height, y1 + context) - cy0;
      const tile = new Uint8ClampedArray(cw * ch * 4);
      for (let r = 0; r < ch; r++) tile.set(img.data.subarray(((cy0 + r) * width + cx0) * 4, ((cy0 + r) * width + cx0 + cw) * 4), r * cw * 4);
      const p = await probe({ width: cw, height: ch, data: tile });
      for (let y = by; y < y1; y++) out.set(p.subarray((y - cy0) * cw + bx - cx0, (y - cy0) * cw + x1 - cx0), y * width + bx);
    }
  }
  return out;
}

function anySet(mask: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (mask[y * width + x]) return true;
  return false;
}

/** Luma in whole 8-bit levels (histogram bins). */
function luma8(img: RGBAImage): Uint8Array {
  const out = new Uint8Array(img.width * img.height);
  const d = img.data;
  for (let i = 0, p = 0; i < out.length; i++, p += 4) out[i] = Math.round(0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2]);
  return out;
}

/** Smallest level whose cumulative count passes half of `total`. */
function histMedian(hist: Int32Array, total: number): number {
  const half = total >> 1;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc > half) return v;
  }
  return 255;
}

/** Per row, the columns [from, to) within `radius` of a stroke pixel's row span; to <= from where none. */
function strokeBand(stroke: Uint8Array, width: number, height: number, radius: number) {
  const first = new Int32Array(height).fill(width), last = new Int32Array(height).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!stroke[y * width + x]) continue;
      if (x < first[y]) first[y] = x;
      last[y] = x;
    }
  }
  const from = new Int32Array(height).fill(width), to = new Int32Array(height);
  for (let y = 0; y < height; y++) {
    if (last[y] < 0) continue;
    for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
      from[yy] = Math.min(from[yy], Math.max(0, first[y] - radius));
      to[yy] = Math.max(to[yy], Math.min(width, last[y] + radius + 1));
    }
  }
  return { from, to };
}

/**
 * |luma - local median| near the stroke (0 elsewhere), by a histogram that slides along each
 * row, and the histogram of those deviations. Only each row's band around the stroke is
 * visited: a long diagonal stroke costs its own band, not its bounding box.
 */
export function medianDeviation(luma: Uint8Array, stroke: Uint8Array, width: number, height: number, radius: number) {
  const dev = new Uint8Array(width * height);
  const devHist = new Int32Array(256);
  const hist = new Int32Array(256);
  const { from, to } = strokeBand(stroke, width, height, radius);
  for (let y = 0; y < height; y++) {
    if (to[y] <= from[y]) continue;
    const ya = Math.max(0, y - radius), yb = Math.min(height - 1, y + radius);
    hist.fill(0);
    let total = 0;
    const column = (x: number, sign: number) => {
      for (let yy = ya; yy <= yb; yy++) hist[luma[yy * width + x]] += sign;
      total += sign * (yb - ya + 1);
    };
    for (let x = Math.max(0, from[y] - radius); x <= Math.min(width - 1, from[y] + radius); x++) column(x, 1);
    for (let x = from[y]; x < to[y]; x++) {
      if (x > from[y]) {
        if (x - radius - 1 >= 0) column(x - radius - 1, -1);
        if (x + radius < width) column(x + radius, 1);
      }
      const i = y * width + x;
      dev[i] = Math.abs(luma[i] - histMedian(hist, total));
      devHist[dev[i]]++;
    }
  }
  return { dev, devHist };
}

/**
 * The damage under a stroke, over a crop of the photo (`stroke` and the result are crop-sized,
 * 1 = in). The crop should reach `radius` past the stroke, so the median and the noise see the
 * stroke's surroundings; without `probability` the contrast alone decides.
 */
export function snapToDamage(img: RGBAImage, stroke: Uint8Array, opts: SnapOptions): Uint8Array {
  const { width, height } = img;
  const bounds = maskBounds(stroke, width, height);
  const out = new Uint8Array(width * height);
  if (!bounds) return out;
  const r = Math.max(1, Math.round(opts.radius));
  // Deviations over the stroke and `r` around it: the noise estimate (1.4826 x their median) is then mostly background.
  const { dev, devHist } = medianDeviation(luma8(img), stroke, width, height, r);
  const noise = 1.4826 * histMedian(devHist, devHist.reduce((n, v) => n + v, 0));
  const limit = SNAP_CONTRAST * Math.max(SNAP_NOISE_FLOOR, noise);
  const p = opts.probability;
  const core = new Uint8Array(width * height);
  for (let y = bounds.y0; y < bounds.y1; y++) {
    for (let x = bounds.x0; x < bounds.x1; x++) {
      const i = y * width + x;
      if (stroke[i] && (dev[i] > limit || (p !== undefined && p[i] >= SNAP_PROBABILITY))) core[i] = 1;
    }
  }
  // Grown by a pixel (3x3), kept inside the stroke.
  const grown = dilate(core, width, height);
  for (let i = 0; i < out.length; i++) out[i] = stroke[i] & grown[i];
  return out;
}
