/**
 * Fills masked pixels: the trained fill model (manifest task "fill") where it ships,
 * the Telea-style classical fill otherwise. Work happens on crops around groups of
 * damage (with context around them), so a few specks on a 24-megapixel photo cost
 * a few small runs, and no pixel outside the mask can change.
 */
import { cloneRGBA, createPlanar, mirrorPlanar, type PlanarImage, type Rect, type RGBAImage } from '../../engine/image.ts';
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

/** A copy of `img` with the pixels under `mask` replaced; everything else is exactly `img`. */
export async function fillMasked(img: RGBAImage, mask: Uint8Array, runner: ModelRunner | null, hooks: FillProgress = {}): Promise<RGBAImage> {
  if (mask.length !== img.width * img.height) throw new Error('Fill mask does not match the photo size.');
  const out = cloneRGBA(img);
  const crops = fillCrops(mask, img.width, img.height);
  const cropPixels = crops.reduce((sum, c) => sum + (c.x1 - c.x0) * (c.y1 - c.y0), 0);
  const views = cropPixels <= FILL_VIEWS_BUDGET ? FILL_VIEWS : 1;
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
    for (let i = 0; i < plane; i++) {
      if (!src.data[3 * plane + i]) continue;
      const p = ((c.y0 + Math.floor(i / w)) * img.width + c.x0 + (i % w)) * 4;
      out.data[p] = filled.data[i] * 255;
      out.data[p + 1] = filled.data[plane + i] * 255;
      out.data[p + 2] = filled.data[2 * plane + i] * 255;
    }
    hooks.onCrop?.(n + 1, crops.length);
  }
  return out;
}
