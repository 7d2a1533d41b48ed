/**
 * The reviewed photo: the original plus each stage's change where the user kept it.
 *
 * Every stage is a layer with the image it ran on (`before`) and what it made
 * (`after`). The result is original + sum of the accepted (after - before). With
 * everything accepted that telescopes to the last stage's output exactly; in a
 * region rejected for every stage that acted there it is the original exactly.
 * Redone regions are patches that replace a layer's `after` inside the region.
 * Pixels a fill replaced take no later stage's change (the fill already matches its
 * surroundings; a denoiser's change to the scratch it saw would bring the scratch back).
 */
import { createRGBA, type RGBAImage } from '../image.ts';
import { forEachRegionPixel, type Rect, type ReviewRegion } from './regions.ts';

export interface ReviewLayer {
  stage: string;
  before: RGBAImage;
  after: RGBAImage;
}

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
  for (const p of patches) {
    const r = byId.get(p.regionId)!;
    const pw = p.rect.x1 - p.rect.x0;
    forEachRegionPixel(r, width, (x, y, k) => {
      if (x < p.rect.x0 || y < p.rect.y0 || x >= p.rect.x1 || y >= p.rect.y1) return;
      const s = ((y - p.rect.y0) * pw + x - p.rect.x0) * 4;
      after.data.set(p.pixels.subarray(s, s + 3), k * 4);
    });
  }
  patchedCache.set(layer.after, { patches, image: after });
  return after;
}

const MAX_LAYERS = 7;
const FILLED = 1 << 7;

/**
 * Composes the reviewed photo. `layers` are in pipeline order; `regions` are every
 * region of every layer (the run's and the user's marked ones).
 */
export function composeReview(original: RGBAImage, layers: ReviewLayer[], regions: ReviewRegion[], d: ReviewDecisions): RGBAImage {
  const { width, height } = original;
  if (layers.length > MAX_LAYERS) throw new Error(`composeReview: at most ${MAX_LAYERS} stages`);
  const n = width * height;
  const byId = new Map(regions.map((r) => [r.id, r]));
  // Per pixel: bit i = layer i is off here; FILLED = an accepted fill replaced this pixel.
  const off = new Uint8Array(n);
  const afters = layers.map((layer) => patchedAfter(layer, d.patches.filter((p) => p.stage === layer.stage && byId.has(p.regionId)), byId, width));
  // Later regions win where they overlap: damage the user re-marked over a found region
  // (which is then rejected) is filled with the new fill.
  for (const r of regions) {
    const i = layers.findIndex((l) => l.stage === r.stage);
    if (i < 0) continue;
    const layerOff = 1 << i;
    if (isAccepted(d, r)) {
      if (r.kind === 'damage') forEachRegionPixel(r, width, (_x, _y, k) => (off[k] = (off[k] & ~layerOff) | FILLED));
    } else {
      // A rejected fill also stops protecting its pixels from later stages.
      const clear = r.kind === 'damage' ? FILLED : 0;
      forEachRegionPixel(r, width, (_x, _y, k) => (off[k] = (off[k] | layerOff) & ~clear));
    }
  }
  const stageOff = layers.map((l) => d.stages[l.stage] === false);
  const fillIndex = layers.findIndex((l) => l.stage === 'fill');
  const out = createRGBA(width, height);
  const o = original.data, res = out.data;
  for (let k = 0, p = 0; k < n; k++, p += 4) {
    let r = o[p], g = o[p + 1], b = o[p + 2];
    const bits = off[k];
    for (let i = 0; i < layers.length; i++) {
      if (stageOff[i] || bits & (1 << i)) continue;
      // Past an accepted fill, later stages leave its pixels alone.
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
  return out;
}
