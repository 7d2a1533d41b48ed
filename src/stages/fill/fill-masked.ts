/**
 * Fills masked pixels: the trained fill model (manifest task "fill") where it ships,
 * the Telea-style classical fill otherwise. Work happens on crops around groups of
 * damage (with context around them), so a few specks on a 24-megapixel photo cost
 * a few small runs, and no pixel outside the mask can change.
 */
import { cloneRGBA, createPlanar, cropRGBA, enlargeAxis, mirrorPlanar, planarToRGBA, rgbaToPlanar, shrinkPlanar, type PlanarImage, type Rect, type RGBAImage } from '../../engine/image.ts';
import { detectShrink } from '../../engine/damage/detect.ts';
import { inpaintTelea } from '../../engine/classical/telea.ts';
import { maskRegions } from '../../engine/mask-regions.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { planarSink, planarSource, runTiled } from '../../engine/tiling.ts';
import { modelTileSpec } from '../../engine/pipeline/tiled-model.ts';

/** Context around each group of damage that the fill reads (never writes). */
export const FILL_CONTEXT = 32;
const TELEA_RADIUS = 5;

/** Rectangles around the mask's connected groups, grown by `margin` and merged where they overlap. */
export function fillCrops(mask: Uint8Array, width: number, height: number, margin = FILL_CONTEXT): Rect[] {
  let rects: Rect[] = maskRegions(mask, width, height).map((r) => ({
    x0: Math.max(0, r.x0 - margin), y0: Math.max(0, r.y0 - margin),
    x1: Math.min(width, r.x1 + margin), y1: Math.min(height, r.y1 + margin),
  }));
  for (let merged = true; merged; ) {
    merged = false;
    const out: Rect[] = [];
    for (const r of rects) {
      const hit = out.find((o) => r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1);
      if (hit) {
        hit.x0 = Math.min(hit.x0, r.x0); hit.y0 = Math.min(hit.y0, r.y0);
        hit.x1 = Math.max(hit.x1, r.x1); hit.y1 = Math.max(hit.y1, r.y1);
        merged = true;
      } else out.push({ ...r });
    }
    rects = out;
  }
  return rects;
}

/** RGB + mask of a crop as a 4-channel planar tile source for the model. */
function cropWithMask(img: RGBAImage, mask: Uint8Array, c: Rect): PlanarImage {
  const w = c.x1 - c.x0, h = c.y1 - c.y0, plane = w * h;
  const out = createPlanar(w, h, 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (c.y0 + y) * img.width + c.x0 + x, i = y * w + x, p = k * 4;
      out.data[i] = img.data[p] / 255;
      out.data[plane + i] = img.data[p + 1] / 255;
      out.data[2 * plane + i] = img.data[p + 2] / 255;
      out.data[3 * plane + i] = mask[k] ? 1 : 0;
    }
  }
  return out;
}

/**
 * The model fills each crop as it is and mirrored (left-right, top-bottom, both) and averages the
 * four, unmirrored: a measurable gain inside holes for 4x the time of a crop, where the four
 * transposes added little for twice the time again (docs/models/fill.md). Where
 * the crops add up to more than FILL_VIEWS_BUDGET pixels (long scratches across a large photo),
 * one view keeps the fill's time near that of a single model pass over the photo.
 */
export const FILL_VIEWS = 4;
export const FILL_VIEWS_BUDGET = 4_000_000;

async function modelFill(src: PlanarImage, runner: ModelRunner, views: number): Promise<PlanarImage> {
  const run = async (view: PlanarImage) => {
    const out = createPlanar(view.width, view.height, 3);
    await runTiled(planarSource(view), modelTileSpec(runner), (t) => runner.run(t), planarSink(out));
    return out;
  };
  if (views === 1) return run(src);
  const filled = createPlanar(src.width, src.height, 3);
  for (let v = 0; v < views; v++) {
    const back = mirrorPlanar(await run(mirrorPlanar(src, v)), v);
    for (let i = 0; i < filled.data.length; i++) filled.data[i] += back.data[i] / views;
  }
  return filled;
}

/**
 * Grain for the inside of wide fills. The fill (model or Telea) is smooth where it has to reach far, so
 * a filled crack a few pixels wide shows as a clean, grainless line on a grainy print. Each filled pixel
 * two or more pixels from the mask's edge gets the fine texture (the pixel less the mean of its 3x3
 * unmasked neighbours) of an unmasked pixel beside its nearest edge pixel, mirrored across that edge and
 * at most GRAIN_BAND px beyond it, so each half of a crack takes the grain of its own side. The texture
 * is added only as far as the fill lacks it (the side's variance less the fill's own), half strength on
 * the ring two pixels in. Thin defects (every pixel next to the edge) are left as they were, and so are
 * holes and tears (groups reaching deeper than GRAIN_MAX_DEPTH px from their edge: there the grain of a
 * 4 px band would be copied over a large area) and prints without grain (under GRAIN_MIN_LEVEL).
 */
export const GRAIN_BAND = 4;
export const GRAIN_MAX_DEPTH = 5;
export const GRAIN_MIN_LEVEL = 1.5 / 255;

/** Adds matched grain to `filled` (a crop's fill, planar RGB in [0, 1]) where `src`'s 4th channel (the mask) is set. */
export function addFillGrain(src: PlanarImage, filled: PlanarImage): void {
  const w = src.width, h = src.height, plane = w * h;
  const masked = (i: number) => src.data[3 * plane + i] !== 0;
  // multi-source BFS (8-connected) from the unmasked pixels: steps to, and index of, the nearest one
  const dist = new Int32Array(plane).fill(-1), near = new Int32Array(plane).fill(-1);
  let queue: number[] = [];
  for (let i = 0; i < plane; i++) if (!masked(i)) { dist[i] = 0; near[i] = i; }
  for (let i = 0; i < plane; i++) {
    if (!masked(i)) continue;
    const x = i % w, y = (i / w) | 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx, ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h || dist[i] === 1) continue;
      const j = ny * w + nx;
      if (!masked(j)) { dist[i] = 1; near[i] = j; }
    }
    if (dist[i] === 1) queue.push(i);
  }
  for (let d = 1; queue.length; d++) {
    const next: number[] = [];
    for (const i of queue) {
      const x = i % w, y = (i / w) | 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (dist[j] !== -1) continue;
        dist[j] = d + 1;
        near[j] = near[i];
        next.push(j);
      }
    }
    queue = next;
  }
  const texture = (img: Float32Array, i: number, c: number, onlyUnmasked: boolean) => {
    const x = i % w, y = (i / w) | 0;
    let sum = 0, n = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx, ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const j = ny * w + nx;
      if (onlyUnmasked && masked(j)) continue;
      sum += img[c * plane + j];
      n++;
    }
    return img[c * plane + i] - sum / n;
  };
  const labels = new Int32Array(plane);
  const cropMask = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) cropMask[i] = masked(i) ? 1 : 0;
  const groups = maskRegions(cropMask, w, h, labels).length;
  const depth = new Int32Array(groups + 1);
  for (let i = 0; i < plane; i++) if (masked(i)) depth[labels[i]] = Math.max(depth[labels[i]], dist[i]);
  const inner: number[] = [], from: number[] = [];
  for (let i = 0; i < plane; i++) {
    if (!masked(i) || dist[i] < 2 || near[i] < 0 || depth[labels[i]] > GRAIN_MAX_DEPTH) continue;
    const q = near[i], qx = q % w, qy = (q / w) | 0, px = i % w, py = (i / w) | 0;
    const len = Math.hypot(qx - px, qy - py) || 1, k = 1 + ((dist[i] - 2) % GRAIN_BAND);
    const sx = Math.round(qx + (k * (qx - px)) / len), sy = Math.round(qy + (k * (qy - py)) / len);
    const s = sx >= 0 && sy >= 0 && sx < w && sy < h && !masked(sy * w + sx) ? sy * w + sx : q;
    inner.push(i);
    from.push(s);
  }
  if (!inner.length) return;
  let side = 0, own = 0;
  const add = new Float32Array(inner.length * 3);
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < inner.length; k++) {
      const t = texture(src.data, from[k], c, true);
      add[c * inner.length + k] = t;
      side += t * t;
      const f = texture(filled.data, inner[k], c, false);
      own += f * f;
    }
  }
  if (side <= 3 * inner.length * GRAIN_MIN_LEVEL ** 2) return;
  const gain = Math.sqrt(Math.max(0, 1 - own / side));
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < inner.length; k++) {
      const i = inner[k], ramp = dist[i] === 2 ? 0.5 : 1;
      const v = filled.data[c * plane + i] + ramp * gain * add[c * inner.length + k];
      filled.data[c * plane + i] = Math.min(1, Math.max(0, v));
    }
  }
}

export interface FillProgress {
  onCrop?(done: number, total: number): void;
  shouldStop?(): boolean;
}

export interface FillOptions extends FillProgress {
  /**
   * Let thin damage on a large photo be filled at the detector's scale (see COARSE_THIN_DEPTH). For
   * damage the detector found; a mask the user painted is filled as painted, at full resolution.
   */
  coarseThin?: boolean;
}

/**
 * Thin damage spread over a large photo is filled on the photo shrunk by the detector's factor
 * (`detectShrink`: 3 for 12 MP), where the detector found it, instead of one model pass over the whole
 * photo at full resolution: about a ninth of the pixels. It applies where the crops at full resolution
 * add up to more than FILL_VIEWS_BUDGET pixels, and only to groups of damage that reach at most
 * COARSE_THIN_DEPTH x the factor pixels from their edge (scratches, specks and cracks up to about 24 px
 * wide on a 12 MP scan, 8 px as the detector sees them). Deeper groups (holes, tears) keep the
 * full-resolution fill. The shrunk fill sees one view, as the full-resolution pass it replaces would
 * have; it is enlarged bilinearly and given the grain of each side (`addFillGrain`), as a
 * full-resolution fill is. On the bench photos of 5, 12 and 24 MP the shrunk fill is the closer to the
 * undamaged photo inside the mask (docs/speed.md): the model sees the damage thinner and more context.
 */
export const COARSE_THIN_DEPTH = 4;

/** A copy of `img` with the pixels under `mask` replaced; everything else is exactly `img`. */
export async function fillMasked(img: RGBAImage, mask: Uint8Array, runner: ModelRunner | null, opts: FillOptions = {}): Promise<RGBAImage> {
  if (mask.length !== img.width * img.height) throw new Error('Fill mask does not match the photo size.');
  const out = cloneRGBA(img);
  let crops = fillCrops(mask, img.width, img.height);
  const shrink = detectShrink(img.width, img.height);
  if (runner && opts.coarseThin && shrink > 1 && pixelsOf(crops) > FILL_VIEWS_BUDGET) {
    const thin = thinGroups(mask, img.width, img.height, COARSE_THIN_DEPTH * shrink);
    const rest = mask.map((v, i) => (v && !thin[i] ? 1 : 0));
    const restCrops = fillCrops(rest, img.width, img.height);
    const small = planarToRGBA(shrinkPlanar(img, shrink));
    const smallMask = shrinkMask(thin, img.width, img.height, shrink);
    const smallCrops = fillCrops(smallMask, small.width, small.height);
    const total = smallCrops.length + restCrops.length;
    const filledSmall = cloneRGBA(small);
    // one view, as the full-resolution pass it stands in for would have had
    await fillEachCrop(filledSmall, small, smallMask, smallCrops, runner, 1, opts, (n) => opts.onCrop?.(n, total));
    enlargeInto(out, filledSmall, thin, shrink);
    addGrainInBlocks(out, img, thin);
    await fillEachCrop(out, img, rest, restCrops, runner, viewsFor(restCrops), opts, (n) => opts.onCrop?.(smallCrops.length + n, total));
    return out;
  }
  await fillEachCrop(out, img, mask, crops, runner, viewsFor(crops), opts, (n) => opts.onCrop?.(n, crops.length));
  return out;
}

const pixelsOf = (crops: Rect[]) => crops.reduce((sum, c) => sum + (c.x1 - c.x0) * (c.y1 - c.y0), 0);
const viewsFor = (crops: Rect[]) => (pixelsOf(crops) <= FILL_VIEWS_BUDGET ? FILL_VIEWS : 1);

/** Fills `mask` crop by crop from `img` into `out`: the model, seeing each crop in `views` views, or Telea. */
async function fillEachCrop(out: RGBAImage, img: RGBAImage, mask: Uint8Array, crops: Rect[], runner: ModelRunner | null, views: number, hooks: FillProgress, done: (n: number) => void) {
  for (const [n, c] of crops.entries()) {
    if (hooks.shouldStop?.()) throw new DOMException('Restoration cancelled', 'AbortError');
    const src = cropWithMask(img, mask, c);
    const w = src.width, h = src.height, plane = w * h;
    let filled: PlanarImage;
    if (runner) {
      filled = await modelFill(src, runner, views);
    } else {
      const cropMask = new Uint8Array(plane);
      for (let i = 0; i < plane; i++) cropMask[i] = src.data[3 * plane + i] ? 1 : 0;
      filled = inpaintTelea({ width: w, height: h, channels: 3, data: src.data.subarray(0, 3 * plane) }, cropMask, TELEA_RADIUS);
    }
    addFillGrain(src, filled);
    writeMasked(out, src, filled, c, c);
    done(n + 1);
  }
}

/** Writes `filled` (a planar crop at `crop`) into `out` where `src`'s mask is set, within `core`. */
function writeMasked(out: RGBAImage, src: PlanarImage, filled: PlanarImage, crop: Rect, core: Rect) {
  const w = src.width, plane = w * src.height;
  for (let y = core.y0; y < core.y1; y++) {
    for (let x = core.x0; x < core.x1; x++) {
      const i = (y - crop.y0) * w + x - crop.x0;
      if (!src.data[3 * plane + i]) continue;
      const p = (y * out.width + x) * 4;
      out.data[p] = filled.data[i] * 255;
      out.data[p + 1] = filled.data[plane + i] * 255;
      out.data[p + 2] = filled.data[2 * plane + i] * 255;
    }
  }
}

/** The mask's groups (8-connected) that reach at most `maxDepth` pixels (chessboard) from their edge. */
export function thinGroups(mask: Uint8Array, w: number, h: number, maxDepth: number): Uint8Array {
  const depth = chessboardDepth(mask, w, h);
  const labels = new Int32Array(w * h);
  const groups = maskRegions(mask, w, h, labels);
  const deepest = new Int32Array(groups.length + 1);
  for (let i = 0; i < mask.length; i++) if (labels[i] && depth[i] > deepest[labels[i]]) deepest[labels[i]] = depth[i];
  return mask.map((v, i) => (v && deepest[labels[i]] <= maxDepth ? 1 : 0));
}

/** Steps (8-connected) from each masked pixel to the nearest unmasked one; the photo's border counts as unmasked. */
function chessboardDepth(mask: Uint8Array, w: number, h: number): Int32Array {
  const d = new Int32Array(w * h);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mask[i]) d[i] = 1 + Math.min(at(x - 1, y), at(x - 1, y - 1), at(x, y - 1), at(x + 1, y - 1));
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (mask[i]) d[i] = Math.min(d[i], 1 + Math.min(at(x + 1, y), at(x + 1, y + 1), at(x, y + 1), at(x - 1, y + 1)));
    }
  }
  return d;
}

/** A mask shrunk by `f` as `shrinkPlanar` shrinks the photo: a block is set if any of its pixels is; the last partial block joins the last one. */
function shrinkMask(mask: Uint8Array, w: number, h: number, f: number): Uint8Array {
  const sw = Math.max(1, Math.floor(w / f)), sh = Math.max(1, Math.floor(h / f));
  const out = new Uint8Array(sw * sh);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1, Math.floor(y / f));
    for (let x = 0; x < w; x++) if (mask[y * w + x]) out[sy * sw + Math.min(sw - 1, Math.floor(x / f))] = 1;
  }
  return out;
}

/** Writes `small` enlarged bilinearly by `f` (`enlargeAxis`, as `enlargeProbabilities`) into `out` under `mask`. */
function enlargeInto(out: RGBAImage, small: RGBAImage, mask: Uint8Array, f: number) {
  const sw = small.width, w = out.width;
  const xs = enlargeAxis(w, sw, f), ys = enlargeAxis(out.height, small.height, f);
  for (let y = 0; y < out.height; y++) {
    const top = ys.lo[y] * sw, bottom = ys.hi[y] * sw, ty = ys.t[y];
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      const tx = xs.t[x], a = (top + xs.lo[x]) * 4, b = (top + xs.hi[x]) * 4, c = (bottom + xs.lo[x]) * 4, d = (bottom + xs.hi[x]) * 4, p = (y * w + x) * 4;
      for (let k = 0; k < 3; k++) {
        const upper = small.data[a + k] * (1 - tx) + small.data[b + k] * tx;
        const lower = small.data[c + k] * (1 - tx) + small.data[d + k] * tx;
        out.data[p + k] = upper * (1 - ty) + lower * ty;
      }
    }
  }
}

/** Block side and margin for `addGrainInBlocks`: the margin covers the grain band and the groups' depth. */
const GRAIN_BLOCK = 512;
const GRAIN_BLOCK_MARGIN = 2 * (GRAIN_BAND + GRAIN_MAX_DEPTH);

/** Whether `mask` (a `w`-wide photo's) is set anywhere in `r`. */
function anyIn(mask: Uint8Array, w: number, r: Rect): boolean {
  for (let y = r.y0; y < r.y1; y++) if (mask.subarray(y * w + r.x0, y * w + r.x1).includes(1)) return true;
  return false;
}

/** `addFillGrain` over a whole photo's fill (`out`, from `img` under `mask`), a block at a time. */
function addGrainInBlocks(out: RGBAImage, img: RGBAImage, mask: Uint8Array) {
  const { width: w, height: h } = img;
  for (let by = 0; by < h; by += GRAIN_BLOCK) {
    for (let bx = 0; bx < w; bx += GRAIN_BLOCK) {
      const core: Rect = { x0: bx, y0: by, x1: Math.min(w, bx + GRAIN_BLOCK), y1: Math.min(h, by + GRAIN_BLOCK) };
      const crop: Rect = {
        x0: Math.max(0, core.x0 - GRAIN_BLOCK_MARGIN), y0: Math.max(0, core.y0 - GRAIN_BLOCK_MARGIN),
        x1: Math.min(w, core.x1 + GRAIN_BLOCK_MARGIN), y1: Math.min(h, core.y1 + GRAIN_BLOCK_MARGIN),
      };
      if (!anyIn(mask, w, crop)) continue;
      const src = cropWithMask(img, mask, crop);
      const filled = rgbaToPlanar(cropRGBA(out, crop.x0, crop.y0, src.width, src.height));
      addFillGrain(src, filled);
      writeMasked(out, src, filled, crop, core);
    }
  }
}
