/**
 * The reviewed photo: the original plus each stage's change where the user kept it.
 *
 * Every stage is a layer with the image it ran on (`before`) and what it made
 * (`after`). The result is original + sum of the accepted (after - before). With
 * everything accepted that telescopes to the last stage's output exactly; in a
 * region rejected for every stage that acted there it is the original exactly.
 * Redone regions are patches that replace a layer's `after` inside the region.
 *
 * Filled pixels take the later stages' repairs like the rest of the photo. The run's own
 * fill ran before them, so their change there is already about the filled pixels. A fill
 * the later stages never saw (damage the user marked, a redone fill) takes instead the
 * change those stages made just around it, carried inwards: their change to the scratch
 * they saw would bring the scratch back, and no change at all would leave a grey or pink
 * ghost of the fill where the colour repair moved everything else.
 *
 * Layers with a `feather` (global stages: colour) blend a rejected region into the rest
 * over that many pixels outside it, and a redone region over that many inside it, so
 * no hard-edged block of the other colour shows.
 */
import { createRGBA, type RGBAImage } from '../image.ts';
import { forEachRegionPixel, type Rect, type ReviewRegion } from './regions.ts';

export interface ReviewLayer {
  stage: string;
  before: RGBAImage;
  after: RGBAImage;
  /** Soft-edge width in pixels for rejected and redone regions (0 = hard edge). */
  feather?: number;
  /** A mask-driven stage's layer (the fill): its regions are damage it mends, and marked damage is filled in it. */
  masked?: boolean;
}

/** Soft edge of a global stage's rejected or redone region. */
export const GLOBAL_FEATHER = 16;

/** A region redone with other settings: its new pixels for one stage, inside the region's mask. */
export interface RegionPatch {
  regionId: string;
  stage: string;
  rect: Rect;
  /** RGBA over `rect`. */
  pixels: Uint8ClampedArray;
  /** The strength it was redone with (strength stages). */
  strength?: number;
}

export type RegionDecision = 'accepted' | 'rejected';

/** Everything the user decided; plain data (typed arrays included), so it can be stored and undone. */
export interface ReviewDecisions {
  /** false = this stage's change is rejected everywhere. Missing = accepted. */
  stages: Record<string, boolean>;
  /** Missing = accepted. */
  regions: Record<string, RegionDecision>;
  /** At most one per region; the newest wins. */
  patches: RegionPatch[];
  /** Damage the user marked and had filled: regions of the fill stage that the run did not find. */
  marked: ReviewRegion[];
}

export function emptyDecisions(): ReviewDecisions {
  return { stages: {}, regions: {}, patches: [], marked: [] };
}

/** Accepts what older projects stored (`{}`) as well as the current shape. */
export function normalizeDecisions(v: unknown): ReviewDecisions {
  const d = (v ?? {}) as Partial<ReviewDecisions>;
  return { stages: d.stages ?? {}, regions: d.regions ?? {}, patches: d.patches ?? [], marked: d.marked ?? [] };
}

/** Regions are kept unless rejected; those that need confirmation (invented fills of found missing areas) only once accepted. */
export function isAccepted(d: ReviewDecisions, region: ReviewRegion): boolean {
  if (d.stages[region.stage] === false) return false;
  const said = d.regions[region.id];
  return region.needsConfirm ? said === 'accepted' : said !== 'rejected';
}

/**
 * A layer's output with its redo patches pasted in. Cached per output image and kept
 * while the list of patches is the same objects, so an accept/reject click (which
 * leaves the patches alone) does not copy a full-size image again.
 */
const patchedCache = new WeakMap<RGBAImage, { patches: RegionPatch[]; image: RGBAImage }>();

function patchedAfter(layer: ReviewLayer, patches: RegionPatch[], byId: Map<string, ReviewRegion>, width: number): RGBAImage {
  if (!patches.length) return layer.after;
  const hit = patchedCache.get(layer.after);
  if (hit && hit.patches.length === patches.length && hit.patches.every((p, i) => p === patches[i])) return hit.image;
  const after = { ...layer.after, data: layer.after.data.slice() };
  const height = layer.after.height;
  for (const p of patches) {
    const r = byId.get(p.regionId)!;
    const pw = p.rect.x1 - p.rect.x0;
    // A global stage's redo blends in over `feather` pixels inside the region.
    const soft = layer.feather ? softMask(r, width, height, layer.feather, 'inside') : undefined;
    forEachRegionPixel(r, width, (x, y, k) => {
      if (x < p.rect.x0 || y < p.rect.y0 || x >= p.rect.x1 || y >= p.rect.y1) return;
      const s = ((y - p.rect.y0) * pw + x - p.rect.x0) * 4;
      if (!soft) {
        after.data.set(p.pixels.subarray(s, s + 3), k * 4);
        return;
      }
      const w = soft.weight(x, y);
      for (let c = 0; c < 3; c++) after.data[k * 4 + c] = layer.after.data[k * 4 + c] + w * (p.pixels[s + c] - layer.after.data[k * 4 + c]);
    });
  }
  patchedCache.set(layer.after, { patches, image: after });
  return after;
}

const MAX_LAYERS = 7;
const FILLED = 1 << 7;

/**
 * A region's mask, softened: `weight(x, y)` is 1 deep inside and falls to 0 over `width`
 * pixels, either inside the region's edge or outside it. A box blur of the mask, twice
 * (a tent), over the region's rectangle grown by `width`.
 */
export function softMask(r: ReviewRegion, imgW: number, imgH: number, width: number, side: 'inside' | 'outside') {
  const x0 = Math.max(0, r.rect.x0 - width), y0 = Math.max(0, r.rect.y0 - width);
  const x1 = Math.min(imgW, r.rect.x1 + width), y1 = Math.min(imgH, r.rect.y1 + width);
  const w = x1 - x0, h = y1 - y0;
  let m: Float32Array = new Float32Array(w * h);
  forEachRegionPixel(r, imgW, (x, y) => (m[(y - y0) * w + x - x0] = 1));
  // Blurred, a region's edge sits at 0.5: inside weights rescale [0.5, 1] to [0, 1], outside [0, 0.5] to [0, 1].
  const rad = Math.max(1, Math.round(width / 2));
  for (let pass = 0; pass < 2; pass++) m = boxBlur(m, w, h, rad);
  return {
    weight(x: number, y: number): number {
      if (x < x0 || y < y0 || x >= x1 || y >= y1) return 0;
      const v = m[(y - y0) * w + x - x0];
      return side === 'inside' ? Math.min(1, Math.max(0, 2 * v - 1)) : Math.min(1, 2 * v);
    },
    rect: { x0, y0, x1, y1 },
  };
}

function boxBlur(src: Float32Array, w: number, h: number, rad: number): Float32Array {
  const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
  const n = 2 * rad + 1;
  for (let y = 0; y < h; y++) {
    let acc = 0;
    for (let x = -rad; x <= rad; x++) acc += src[y * w + Math.min(w - 1, Math.max(0, x))];
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = acc / n;
      acc += src[y * w + Math.min(w - 1, x + rad + 1)] - src[y * w + Math.max(0, x - rad)];
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let y = -rad; y <= rad; y++) acc += tmp[Math.min(h - 1, Math.max(0, y)) * w + x];
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc / n;
      acc += tmp[Math.min(h - 1, y + rad + 1) * w + x] - tmp[Math.max(0, y - rad) * w + x];
    }
  }
  return out;
}

/**
 * A later layer's change carried into pixels it never saw (`hole`, over the rectangle
 * `rect`): each takes the mean change of its already-known 8 neighbours, ring by ring from
 * the hole's edge inwards. Returns 3 values (R, G, B change) per rectangle pixel.
 */
function carriedChange(layerAfter: RGBAImage, layerBefore: RGBAImage, hole: Uint8Array, rect: Rect): Float32Array {
  const W = layerAfter.width, H = layerAfter.height;
  const x0 = Math.max(0, rect.x0 - 1), y0 = Math.max(0, rect.y0 - 1), x1 = Math.min(W, rect.x1 + 1), y1 = Math.min(H, rect.y1 + 1);
  const w = x1 - x0, h = y1 - y0;
  const known = new Uint8Array(w * h), delta = new Float32Array(3 * w * h);
  const a = layerAfter.data, b = layerBefore.data;
  const rw = rect.x1 - rect.x0;
  const inHole = (x: number, y: number) => x >= rect.x0 && y >= rect.y0 && x < rect.x1 && y < rect.y1 && hole[(y - rect.y0) * rw + x - rect.x0] !== 0;
  let pending: number[] = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y - y0) * w + x - x0;
      if (inHole(x, y)) { pending.push(i); continue; }
      known[i] = 1;
      const p = (y * W + x) * 4;
      for (let c = 0; c < 3; c++) delta[3 * i + c] = a[p + c] - b[p + c];
    }
  }
  while (pending.length) {
    const ring: [number, number, number, number][] = [], rest: number[] = [];
    for (const i of pending) {
      const x = i % w, y = (i / w) | 0;
      let n = 0, r = 0, g = 0, bl = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (!known[j]) continue;
          n++; r += delta[3 * j]; g += delta[3 * j + 1]; bl += delta[3 * j + 2];
        }
      }
      if (n) ring.push([i, r / n, g / n, bl / n]);
      else rest.push(i);
    }
    if (!ring.length) break;
    for (const [i, r, g, bl] of ring) {
      known[i] = 1;
      delta[3 * i] = r; delta[3 * i + 1] = g; delta[3 * i + 2] = bl;
    }
    pending = rest;
  }
  // Back onto the hole's own rectangle.
  const out = new Float32Array(3 * rw * (rect.y1 - rect.y0));
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      const i = (y - y0) * w + x - x0, o = 3 * ((y - rect.y0) * rw + x - rect.x0);
      out[o] = delta[3 * i]; out[o + 1] = delta[3 * i + 1]; out[o + 2] = delta[3 * i + 2];
    }
  }
  return out;
}

/**
 * Composes the reviewed photo. `layers` are in pipeline order; `regions` are every
 * region of every layer (the run's and the user's marked ones).
 */
export function composeReview(original: RGBAImage, layers: ReviewLayer[], regions: ReviewRegion[], d: ReviewDecisions): RGBAImage {
  const { width, height } = original;
  if (layers.length > MAX_LAYERS) throw new Error(`composeReview: at most ${MAX_LAYERS} stages`);
  const n = width * height;
  const byId = new Map(regions.map((r) => [r.id, r]));
  // Per pixel: bit i = layer i is off here; FILLED = an accepted fill the later stages never saw.
  const off = new Uint8Array(n);
  const afters = layers.map((layer) => patchedAfter(layer, d.patches.filter((p) => p.stage === layer.stage && byId.has(p.regionId)), byId, width));
  const fillIndex = layers.findIndex((l) => l.masked);
  const fillPatched = new Set(d.patches.filter((p) => p.stage === layers[fillIndex]?.stage).map((p) => p.regionId));
  // Later regions win where they overlap: damage the user re-marked over a found region
  // (which is then rejected) is filled with the new fill.
  const unseenFills: ReviewRegion[] = [];
  const softOff: { layer: number; region: ReviewRegion }[] = [];
  for (const r of regions) {
    const i = layers.findIndex((l) => l.stage === r.stage);
    if (i < 0) continue;
    const layerOff = 1 << i;
    if (isAccepted(d, r)) {
      if (r.kind !== 'damage') continue;
      if (fillPatched.has(r.id)) {
        unseenFills.push(r);
        forEachRegionPixel(r, width, (_x, _y, k) => (off[k] = (off[k] & ~layerOff) | FILLED));
      } else forEachRegionPixel(r, width, (_x, _y, k) => (off[k] = off[k] & ~layerOff & ~FILLED));
    } else {
      const clear = r.kind === 'damage' ? FILLED : 0;
      forEachRegionPixel(r, width, (_x, _y, k) => (off[k] = (off[k] | layerOff) & ~clear));
      if (layers[i].feather && d.stages[r.stage] !== false) softOff.push({ layer: i, region: r });
    }
  }
  const stageOff = layers.map((l) => d.stages[l.stage] === false);
  const out = createRGBA(width, height);
  const o = original.data, res = out.data;
  for (let k = 0, p = 0; k < n; k++, p += 4) {
    let r = o[p], g = o[p + 1], b = o[p + 2];
    const bits = off[k];
    for (let i = 0; i < layers.length; i++) {
      if (stageOff[i] || bits & (1 << i)) continue;
      // Past a fill they never saw, later stages add the change they made around it (below).
      if (bits & FILLED && i > fillIndex) continue;
      const a = afters[i].data, be = layers[i].before.data;
      r += a[p] - be[p];
      g += a[p + 1] - be[p + 1];
      b += a[p + 2] - be[p + 2];
    }
    res[p] = r;
    res[p + 1] = g;
    res[p + 2] = b;
    res[p + 3] = 255;
  }
  for (const region of unseenFills) {
    const rw = region.rect.x1 - region.rect.x0, rh = region.rect.y1 - region.rect.y0;
    const hole = new Uint8Array(rw * rh);
    forEachRegionPixel(region, width, (x, y, k) => (hole[(y - region.rect.y0) * rw + x - region.rect.x0] = off[k] & FILLED ? 1 : 0));
    for (let i = fillIndex + 1; i < layers.length; i++) {
      if (stageOff[i]) continue;
      const carried = carriedChange(afters[i], layers[i].before, hole, region.rect);
      forEachRegionPixel(region, width, (x, y, k) => {
        if (!(off[k] & FILLED) || off[k] & (1 << i)) return;
        const c = 3 * ((y - region.rect.y0) * rw + x - region.rect.x0), p = 4 * k;
        res[p] += carried[c];
        res[p + 1] += carried[c + 1];
        res[p + 2] += carried[c + 2];
      });
    }
  }
  // A global stage's rejected region fades back in over its soft edge outside the region.
  for (const { layer: i, region } of softOff) {
    const soft = softMask(region, width, height, layers[i].feather!, 'outside');
    const { x0, y0, x1, y1 } = soft.rect;
    const a = afters[i].data, be = layers[i].before.data;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const k = y * width + x;
        if (off[k] & (1 << i) || (off[k] & FILLED && i > fillIndex)) continue;
        const w = soft.weight(x, y);
        if (w <= 0) continue;
        const p = 4 * k;
        for (let c = 0; c < 3; c++) res[p + c] -= w * (a[p + c] - be[p + c]);
      }
    }
  }
  return out;
}
