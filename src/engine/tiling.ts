/**
 * Tiled processing of arbitrarily large photos.
 *
 * Why it is exact: a model with receptive field R gives, at a pixel, a value that
 * depends only on inputs within R of it. So if each tile's output is cropped by a
 * margin >= R (except on sides that touch the image border, where the whole-image
 * run sees the same border), the kept pixels equal the whole-image output. Kept
 * regions of neighbouring tiles overlap a little more and are blended with linear
 * weights that sum to one, which hides residual seams when a model is only
 * approximately local (int8, effective receptive field larger than the margin).
 *
 * Why it is cheap: tiles are visited row by row and blended into a band buffer
 * one tile high; finished rows are handed to a sink (8-bit RGBA or float) and
 * the band moves down. No full-resolution float copy is ever made here.
 *
 * Networks that downsample need sizes that are multiples of `sizeMultiple`;
 * the photo is virtually reflect-padded to such a size and every tile starts
 * on that grid, so the tiled run equals one run on the padded photo.
 */
import { createPlanar, type PlanarImage, type RGBAImage } from './image.ts';

export interface TileSpec {
  /** Preferred square tile size (a multiple of sizeMultiple). */
  tile: number;
  /** Margin cropped on every inner tile side: at least the model's receptive field. */
  overlap: number;
  /** Input sizes must be multiples of this (2^downsamplings for a U-Net). */
  sizeMultiple: number;
  /** Extra overlap blended linearly; defaults to half the overlap. */
  feather?: number;
}

export type TileFn = (tile: PlanarImage, index: number) => Promise<PlanarImage> | PlanarImage;

/** Reads a rectangle of the virtually padded photo as planar float. */
export interface TileSource {
  width: number;
  height: number;
  channels: number;
  read(x: number, y: number, w: number, h: number): PlanarImage;
}

/** Receives finished rows: `band` holds `rows` rows starting at photo row `y`, padded width. */
export type RowSink = (y: number, rows: number, band: PlanarImage) => void;

/** What a long tiled loop reports to and asks of whoever runs it (a stage's context satisfies it). */
export interface TileProgress {
  /** Called after every tile (or unit of work). */
  progress(done: number, total: number): void;
  /** True once a cancel was requested; checked between tiles. */
  shouldStop(): boolean;
}

/** No progress shown, never cancelled: analysis and evaluation outside a run. */
export const NO_PROGRESS: TileProgress = { progress: () => {}, shouldStop: () => false };

export interface TiledRunOptions {
  onTile?: (done: number, total: number) => void;
  /** Checked between tiles; throwing here is how a run is cancelled cooperatively. */
  shouldStop?: () => boolean;
}

/** Mirror index into [0, n) (periodic reflection, so padding larger than n works). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** One axis of the tile grid: start positions and, per tile, the range it contributes. */
export interface AxisPlan {
  padded: number;
  size: number;
  starts: number[];
  /** [from, to) in padded coordinates that each tile's output is trusted for. */
  valid: Array<[number, number]>;
}

export function planAxis(length: number, spec: TileSpec): AxisPlan {
  const m = spec.sizeMultiple;
  const padded = roundUp(Math.max(1, length), m);
  let size = Math.min(roundUp(spec.tile, m), padded);
  if (size === padded) return { padded, size, starts: [0], valid: [[0, padded]] };
  const o = spec.overlap;
  const feather = spec.feather ?? Math.floor(o / 2);
  const strideOf = (t: number) => Math.floor((t - 2 * o - feather) / m) * m;
  // Two tiles' kept regions may overlap but never three: stride >= (size - 2o) / 2.
  const fits = (t: number) => strideOf(t) > 0 && 2 * strideOf(t) >= t - 2 * o;
  if (!fits(size)) throw new Error(`Tile ${size}px is too small for an overlap of ${o}px; use a larger tile.`);
  const startsOf = (t: number) => {
    const starts: number[] = [];
    for (let s = 0; ; s += strideOf(t)) {
      if (s + t >= padded) {
        starts.push(padded - t); // last tile shifted inward: every tile has the same shape
        return starts;
      }
      starts.push(s);
    }
  };
  let starts = startsOf(size);
  // The same number of tiles, each as small as still covers the photo: the last tile's inward
  // shift otherwise recomputes up to a whole stride of pixels the previous tile already gave.
  for (let t = size - m; t > 2 * o && fits(t); t -= m) {
    const fewer = startsOf(t);
    if (fewer.length > starts.length) break;
    size = t;
    starts = fewer;
  }
  const valid = starts.map((s, k): [number, number] => [
    k === 0 ? 0 : s + o,
    k === starts.length - 1 ? padded : s + size - o,
  ]);
  return { padded, size, starts, valid };
}

/** Per-axis blend weights of tile k over its own span [start, start+size): partition of unity. */
function axisWeights(plan: AxisPlan, k: number): Float32Array {
  const w = new Float32Array(plan.size);
  const start = plan.starts[k];
  const [from, to] = plan.valid[k];
  for (let i = 0; i < plan.size; i++) {
    const p = start + i;
    if (p < from || p >= to) continue;
    let weight = 1;
    if (k > 0) {
      const [, prevTo] = plan.valid[k - 1];
      if (p < prevTo) weight = (p - from + 0.5) / (prevTo - from); // ramp up over the shared zone
    }
    if (k < plan.starts.length - 1) {
      const [nextFrom] = plan.valid[k + 1];
      if (p >= nextFrom) weight = (to - p - 0.5) / (to - nextFrom); // ramp down
    }
    w[i] = weight;
  }
  return w;
}

/**
 * Runs `fn` over the photo tile by tile and streams blended rows to `sink`.
 * Returns the number of tiles processed.
 */
export async function runTiled(
  source: TileSource,
  spec: TileSpec,
  fn: TileFn,
  sink: RowSink,
  options: TiledRunOptions = {},
): Promise<number> {
  const px = planAxis(source.width, spec);
  const py = planAxis(source.height, spec);
  const wx = px.starts.map((_, k) => axisWeights(px, k));
  const wy = py.starts.map((_, k) => axisWeights(py, k));
  const total = px.starts.length * py.starts.length;
  const W = px.padded;
  const T = py.size;
  let band: PlanarImage | null = null; // rows [bandTop, bandTop + T) of the padded output
  let bandTop = 0;
  let flushed = 0; // photo rows already handed to the sink
  let done = 0;

  const flushTo = (end: number) => {
    const stop = Math.min(end, source.height);
    if (!band || stop <= flushed) return;
    const rows = stop - flushed;
    sink(flushed, rows, sliceRows(band, flushed - bandTop, rows));
    flushed = stop;
  };

  for (let ky = 0; ky < py.starts.length; ky++) {
    const y0 = py.starts[ky];
    if (band) {
      flushTo(y0); // rows above this tile row receive nothing more
      band = shiftBand(band, y0 - bandTop);
    }
    band ??= createPlanar(W, T, source.channels);
    bandTop = y0;
    for (let kx = 0; kx < px.starts.length; kx++) {
      if (options.shouldStop?.()) throw new DOMException('Restoration cancelled', 'AbortError');
      const x0 = px.starts[kx];
      const input = source.read(x0, y0, px.size, T);
      const out = await fn(input, done);
      if (out.width !== px.size || out.height !== T) {
        throw new Error(`Tile function returned ${out.width}x${out.height}, expected ${px.size}x${T}`);
      }
      accumulate(band, out, x0, wx[kx], wy[ky]);
      done++;
      options.onTile?.(done, total);
    }
  }
  flushTo(source.height);
  return total;
}

function accumulate(band: PlanarImage, tile: PlanarImage, x0: number, wx: Float32Array, wy: Float32Array) {
  const C = Math.min(band.channels, tile.channels);
  const bw = band.width, bh = band.height, tw = tile.width, th = tile.height;
  for (let c = 0; c < C; c++) {
    const bOff = c * bw * bh;
    const tOff = c * tw * th;
    for (let y = 0; y < th; y++) {
      const wyv = wy[y];
      if (wyv === 0) continue;
      const bRow = bOff + y * bw + x0;
      const tRow = tOff + y * tw;
      for (let x = 0; x < tw; x++) {
        const w = wx[x] * wyv;
        if (w !== 0) band.data[bRow + x] += w * tile.data[tRow + x];
      }
    }
  }
}

function sliceRows(band: PlanarImage, from: number, rows: number): PlanarImage {
  const out = createPlanar(band.width, rows, band.channels);
  for (let c = 0; c < band.channels; c++) {
    const src = c * band.width * band.height + from * band.width;
    out.data.set(band.data.subarray(src, src + rows * band.width), c * band.width * rows);
  }
  return out;
}

/** Moves the band down by `by` rows, zeroing the rows that come into view. */
function shiftBand(band: PlanarImage, by: number): PlanarImage {
  const { width, height, channels, data } = band;
  for (let c = 0; c < channels; c++) {
    const off = c * width * height;
    if (by < height) data.copyWithin(off, off + by * width, off + height * width);
    data.fill(0, off + Math.max(0, height - by) * width, off + height * width);
  }
  return band;
}

/* ---------- sources ---------- */

/** An 8-bit photo as tiles; with `view`, as seen mirrored left-right (bit 0) and/or top-bottom (bit 1), without a copy. */
export function rgbaSource(img: RGBAImage, view = 0): TileSource {
  const { width: W, height: H } = img;
  return {
    width: W,
    height: H,
    channels: 3,
    read(x, y, w, h) {
      const out = createPlanar(w, h, 3);
      const plane = w * h;
      for (let r = 0; r < h; r++) {
        const ry = reflectIndex(y + r, H);
        const sy = view & 2 ? H - 1 - ry : ry;
        for (let col = 0; col < w; col++) {
          const rx = reflectIndex(x + col, W);
          const p = (sy * W + (view & 1 ? W - 1 - rx : rx)) * 4;
          const i = r * w + col;
          out.data[i] = img.data[p] / 255;
          out.data[plane + i] = img.data[p + 1] / 255;
          out.data[2 * plane + i] = img.data[p + 2] / 255;
        }
      }
      return out;
    },
  };
}

export function planarSource(img: PlanarImage): TileSource {
  return {
    width: img.width,
    height: img.height,
    channels: img.channels,
    read(x, y, w, h) {
      const out = createPlanar(w, h, img.channels);
      const plane = w * h;
      const srcPlane = img.width * img.height;
      for (let r = 0; r < h; r++) {
        const sy = reflectIndex(y + r, img.height);
        for (let col = 0; col < w; col++) {
          const sx = reflectIndex(x + col, img.width);
          for (let c = 0; c < img.channels; c++) {
            out.data[c * plane + r * w + col] = img.data[c * srcPlane + sy * img.width + sx];
          }
        }
      }
      return out;
    },
  };
}

/* ---------- sinks ---------- */

/** Writes finished rows into an 8-bit RGBA image (rounded, clipped; alpha copied from `alpha`). */
export function rgbaSink(out: RGBAImage, alpha?: RGBAImage): RowSink {
  return (y, rows, band) => {
    const plane = band.width * rows;
    for (let r = 0; r < rows; r++) {
      for (let x = 0; x < out.width; x++) {
        const i = r * band.width + x;
        const p = ((y + r) * out.width + x) * 4;
        out.data[p] = band.data[i] * 255;
        out.data[p + 1] = band.data[plane + i] * 255;
        out.data[p + 2] = band.data[2 * plane + i] * 255;
        out.data[p + 3] = alpha ? alpha.data[p + 3] : 255;
      }
    }
  };
}

/** Writes finished rows into a float planar image of the photo's size. */
export function planarSink(out: PlanarImage): RowSink {
  return (y, rows, band) => {
    const srcPlane = band.width * rows;
    const dstPlane = out.width * out.height;
    for (let c = 0; c < out.channels; c++) {
      for (let r = 0; r < rows; r++) {
        const src = c * srcPlane + r * band.width;
        out.data.set(band.data.subarray(src, src + out.width), c * dstPlane + (y + r) * out.width);
      }
    }
  };
}
