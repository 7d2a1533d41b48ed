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

/** Separable min or max filter with a square window (reflect at the borders). */
export function rankFilter(src: Float32Array, w: number, h: number, size: number, max: boolean): Float32Array {
  const r = size >> 1;
  const tmp = new Float32Array(src.length), out = new Float32Array(src.length);
  const pick = max ? Math.max : Math.min;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let v = src[row + x];
      for (let k = -r; k <= r; k++) {
        const xx = Math.min(w - 1, Math.max(0, x + k));
        v = pick(v, src[row + xx]);
      }
      tmp[row + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = tmp[y * w + x];
      for (let k = -r; k <= r; k++) {
        const yy = Math.min(h - 1, Math.max(0, y + k));
        v = pick(v, tmp[yy * w + x]);
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

function median(values: Float32Array): number {
  const sample = new Float32Array(Math.min(values.length, 200_000));
  const step = values.length / sample.length;
  for (let i = 0; i < sample.length; i++) sample[i] = values[Math.floor(i * step)];
  sample.sort();
  return sample[sample.length >> 1] ?? 0;
}

export function detectDamageClassical(img: RGBAImage, opts: DamageDetectorOptions = {}): DamageMasks {
  const { width: w, height: h } = img;
  const size = opts.window ?? 9;
  // Luma in 8-bit units (the thresholds below are in levels).
  const L = planarLuma(rgbaToPlanar(img)).data.map((v) => v * 255);
  const opening = rankFilter(rankFilter(L, w, h, size, false), w, h, size, true);
  const closing = rankFilter(rankFilter(L, w, h, size, true), w, h, size, false);
  const hat = new Float32Array(L.length);
  for (let i = 0; i < L.length; i++) hat[i] = Math.max(L[i] - opening[i], closing[i] - L[i]);
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
