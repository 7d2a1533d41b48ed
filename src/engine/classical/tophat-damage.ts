/**
 * Classical damage detector: the baseline the trained detector must beat, and the
 * app's fallback until it ships.
 *
 * - Defects (scratches, specks, cracks): morphological top-hats of the luminance. A
 *   white top-hat (L - opening) lights up bright structures thinner than the window,
 *   a black top-hat (closing - L) dark ones. A pixel is a defect where the top-hat
 *   stands out from the photo's own fine texture (a multiple of its median absolute
 *   top-hat, never below an absolute floor), grown by one pixel to cover soft edges.
 * - Missing areas (tears, holes): large, flat, near-white or near-black patches, the
 *   scanner lid or bed showing through.
 */
import { planarLuma, rgbaToPlanar, type RGBAImage } from '../image.ts';
import { maskRegions } from '../mask-regions.ts';

export interface DamageDetectorOptions {
  /** Structuring-element width (px): defects thinner than this are found. */
  window?: number;
  /** Threshold = max(floor, k * median |top-hat|). */
  k?: number;
  floor?: number;
  /** Missing areas: at least this share of the photo, flat (local range <= flatRange) and extreme. */
  minMissingShare?: number;
}

export interface DamageMasks {
  /** 1 = thin defect (fill from surroundings). */
  defect: Uint8Array;
  /** 1 = missing content (must be invented). */
  missing: Uint8Array;
}

/**
 * Separable min or max filter with a square window (the border pixel repeated past the edges).
 * Each pass is van Herk / Gil-Werman's: running extremes forwards and backwards within blocks of
 * the window's size, so a pixel costs three comparisons whatever the window.
 */
export function rankFilter(src: Float32Array, w: number, h: number, size: number, max: boolean): Float32Array {
  const r = size >> 1;
  const tmp = new Float32Array(src.length), out = new Float32Array(src.length);
  const line = new RankLine(Math.max(w, h), r, max);
  for (let y = 0; y < h; y++) line.run(src, y * w, 1, w, tmp);
  for (let x = 0; x < w; x++) line.run(tmp, x, w, h, out);
  return out;
}

/** One row or column of `rankFilter`, with buffers reused across lines. */
class RankLine {
  private readonly padded: Float32Array;
  private readonly forward: Float32Array;
  private readonly backward: Float32Array;
  constructor(longest: number, private readonly r: number, private readonly max: boolean) {
    const n = longest + 2 * r;
    this.padded = new Float32Array(n);
    this.forward = new Float32Array(n);
    this.backward = new Float32Array(n);
  }

  /** Filters the `n` values at `src[start + k * stride]` into the same places of `dst`. */
  run(src: Float32Array, start: number, stride: number, n: number, dst: Float32Array) {
    const { r, max, padded: p, forward: f, backward: b } = this;
    const k = 2 * r + 1, len = n + 2 * r;
    for (let i = 0; i < len; i++) p[i] = src[start + Math.min(n - 1, Math.max(0, i - r)) * stride];
    const better = max ? (a: number, c: number) => (a > c ? a : c) : (a: number, c: number) => (a < c ? a : c);
    for (let i = 0; i < len; i++) f[i] = i % k === 0 ? p[i] : better(f[i - 1], p[i]);
    for (let i = len - 1; i >= 0; i--) b[i] = i === len - 1 || (i + 1) % k === 0 ? p[i] : better(b[i + 1], p[i]);
    // The window [i, i + k) of the padded line spans at most two blocks: the end of one (backward) and the start of the next (forward).
    for (let i = 0; i < n; i++) dst[start + i * stride] = better(b[i], f[i + k - 1]);
  }
}

function median(values: Float32Array): number {
  const sample = new Float32Array(Math.min(values.length, 200_000));
  const step = values.length / sample.length;
  for (let i = 0; i < sample.length; i++) sample[i] = values[Math.floor(i * step)];
  sample.sort();
  return sample[sample.length >> 1] ?? 0;
}

/** Luma in 8-bit levels (the top-hats' thresholds are in levels). */
export function lumaLevels(img: RGBAImage): Float32Array {
  return planarLuma(rgbaToPlanar(img)).data.map((v) => v * 255);
}

/** Morphological opening (min then max) with a square window: what is left once bright details thinner than it are gone. */
export function opening(L: Float32Array, w: number, h: number, size: number): Float32Array {
  return rankFilter(rankFilter(L, w, h, size, false), w, h, size, true);
}

/** White top-hat of the luma (luma less its opening), in 8-bit levels: bright structures thinner than `size`. */
export function whiteTopHat(img: RGBAImage, size: number): Float32Array {
  const L = lumaLevels(img);
  const open = opening(L, img.width, img.height, size);
  return L.map((v, i) => v - open[i]);
}

export function detectDamageClassical(img: RGBAImage, opts: DamageDetectorOptions = {}): DamageMasks {
  const { width: w, height: h } = img;
  const size = opts.window ?? 9;
  const L = lumaLevels(img);
  const open = opening(L, w, h, size);
  const closing = rankFilter(rankFilter(L, w, h, size, true), w, h, size, false);
  const hat = new Float32Array(L.length);
  for (let i = 0; i < L.length; i++) hat[i] = Math.max(L[i] - open[i], closing[i] - L[i]);
  const t = Math.max(opts.floor ?? 28, (opts.k ?? 6) * median(hat));
  const core = new Uint8Array(L.length);
  for (let i = 0; i < L.length; i++) core[i] = hat[i] > t ? 1 : 0;
  const defect = dilate(core, w, h);

  // Missing: extreme and flat (the local 5x5 range is small), in patches big enough to be a tear or hole.
  const lo = rankFilter(L, w, h, 5, false), hi = rankFilter(L, w, h, 5, true);
  const flat = new Uint8Array(L.length);
  for (let i = 0; i < L.length; i++) flat[i] = hi[i] - lo[i] <= 6 && (L[i] >= 232 || L[i] <= 12) ? 1 : 0;
  const labels = new Int32Array(L.length);
  const minPixels = Math.max(64, (opts.minMissingShare ?? 0.0005) * L.length);
  const keep = new Set(maskRegions(flat, w, h, labels).filter((r) => r.pixels >= minPixels).map((r) => r.label));
  const missing = new Uint8Array(L.length);
  for (let i = 0; i < L.length; i++) if (keep.has(labels[i])) missing[i] = 1;
  const grownMissing = dilate(missing, w, h);
  for (let i = 0; i < L.length; i++) if (grownMissing[i]) defect[i] = 0;
  return { defect, missing: grownMissing };
}

/** 3x3 dilation. */
export function dilate(m: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!m[y * w + x]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) out[yy * w + xx] = 1;
        }
      }
    }
  }
  return out;
}
