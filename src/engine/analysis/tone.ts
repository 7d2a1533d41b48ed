/**
 * CIELAB statistics of a whole photo, for the do-no-harm rules (rules.ts): what a person sees
 * change first on an old print is its overall tone (toned or grey, warm or cold), its brightness
 * and where its blacks and whites sit. Computed on a strided sample of at most ~260k pixels,
 * so a 24 MP scan costs as little as a thumbnail.
 */
import type { RGBAImage } from '../image.ts';
import { srgbToLab } from '../metrics/deltae.ts';

export interface ToneStats {
  /** Mean L*, and its 1st / 99th percentiles (black and white points). */
  meanL: number;
  p1L: number;
  p99L: number;
  /** Mean a*, b*: the photo's overall colour; `cast` is its chroma, `hue` its angle in degrees (0..360). */
  meanA: number;
  meanB: number;
  cast: number;
  hue: number;
  /** Mean of the pixels' chroma. */
  meanChroma: number;
  /** RMS chroma across the mean hue direction: low when every pixel shares the overall hue. */
  crossHue: number;
  /** Grey: the pixels carry almost no colour. */
  grey: boolean;
  /** Toned monochrome (sepia, selenium, gold, cyanotype): one clear hue that single pixels follow. */
  toned: boolean;
}

/** Mean pixel chroma under which a photo counts as grey. */
export const GREY_CHROMA = 2.5;
/** The overall colour must be at least this chromatic for a hue to be "clear"... */
export const TONED_MIN_CAST = 3;
/** ...and the pixels' chroma across that hue at most this share of it (or 2.5 units, if larger)... */
export const TONED_CROSS_SHARE = 0.45;
/**
 * ...and no stronger than this: toning and paper stain stay under it on real prints, while a colour
 * photo whose dyes faded into a strong cast can look as one-hued as a toned print and is repaired
 * as a colour photo (docs/real-photo-bench.md).
 */
export const TONED_MAX_CAST = 35;

export interface LabSample {
  L: Float32Array;
  a: Float32Array;
  b: Float32Array;
  /** Pixel index of each sample. */
  index: Uint32Array;
}

/** Lab values of every `step`-th pixel on every `step`-th row (the same pixels for two photos of one size). */
export function labSample(img: RGBAImage, maxSamples = 262144): LabSample {
  const { width: w, height: h } = img;
  const step = Math.max(1, Math.ceil(Math.sqrt((w * h) / maxSamples)));
  const nx = Math.ceil(w / step), ny = Math.ceil(h / step);
  const L = new Float32Array(nx * ny), A = new Float32Array(nx * ny), B = new Float32Array(nx * ny), index = new Uint32Array(nx * ny);
  // An 8-bit pixel has 16.7M possible colours but a photo repeats few: cache per packed RGB.
  const cache = new Map<number, number>();
  let k = 0;
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step, k++) {
      const p = (y * w + x) * 4;
      const key = (img.data[p] << 16) | (img.data[p + 1] << 8) | img.data[p + 2];
      let slot = cache.get(key);
      if (slot === undefined) {
        slot = k;
        cache.set(key, k);
        [L[k], A[k], B[k]] = srgbToLab(img.data[p] / 255, img.data[p + 1] / 255, img.data[p + 2] / 255);
      } else {
        L[k] = L[slot]; A[k] = A[slot]; B[k] = B[slot];
      }
      index[k] = y * w + x;
    }
  }
  return { L, a: A, b: B, index };
}

/** The q-quantile of a sample (0..1), by sorting a copy. */
export function quantile(values: Float32Array, q: number): number {
  const s = Float32Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

export function hueOf(a: number, b: number): number {
  const h = (Math.atan2(b, a) * 180) / Math.PI;
  return h < 0 ? h + 360 : h;
}

/** Smallest angle between two hues, in degrees (0..180). */
export function hueDistance(h1: number, h2: number): number {
  const d = Math.abs(h1 - h2) % 360;
  return d > 180 ? 360 - d : d;
}

export function toneStatsOf(s: LabSample): ToneStats {
  const n = s.L.length;
  let sl = 0, sa = 0, sb = 0, sc = 0;
  for (let i = 0; i < n; i++) {
    sl += s.L[i]; sa += s.a[i]; sb += s.b[i];
    sc += Math.hypot(s.a[i], s.b[i]);
  }
  const meanA = sa / n, meanB = sb / n, cast = Math.hypot(meanA, meanB), meanChroma = sc / n;
  const ux = cast > 1e-6 ? meanA / cast : 1, uy = cast > 1e-6 ? meanB / cast : 0;
  let cross = 0;
  for (let i = 0; i < n; i++) cross += (-s.a[i] * uy + s.b[i] * ux) ** 2;
  const crossHue = Math.sqrt(cross / n);
  const grey = meanChroma < GREY_CHROMA;
  return {
    meanL: sl / n,
    p1L: quantile(s.L, 0.01),
    p99L: quantile(s.L, 0.99),
    meanA, meanB, cast,
    hue: hueOf(meanA, meanB),
    meanChroma, crossHue, grey,
    toned: !grey && cast >= TONED_MIN_CAST && cast <= TONED_MAX_CAST && crossHue <= Math.max(2.5, TONED_CROSS_SHARE * cast),
  };
}

export function toneStats(img: RGBAImage): ToneStats {
  return toneStatsOf(labSample(img));
}

/**
 * Share of sampled pixels (the same pixels of two photos of one size) that were not clipped and
 * now are (L* < 1 or > 99), having moved by 3 L* or more: not a highlight nudged over the line.
 */
export function newlyClippedShare(before: LabSample, after: LabSample): number {
  let n = 0;
  for (let i = 0; i < before.L.length; i++) {
    const was = before.L[i] < 1 || before.L[i] > 99, is = after.L[i] < 1 || after.L[i] > 99;
    if (!was && is && Math.abs(after.L[i] - before.L[i]) >= 3) n++;
  }
  return n / before.L.length;
}
