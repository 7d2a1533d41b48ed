/**
 * Automatic levels and white balance. Statistics are taken once on a thumbnail;
 * the result is a *pointwise* per-channel curve, so it can be applied to full-resolution
 * tiles with no context (receptive field 0) and costs one pass.
 *
 * Curve per channel c:  t = (v - black[c]) / (white[c] - black[c]);  out = t^gamma[c]  (t > 0)
 * Levels stretch faded ranges (per channel, which also removes casts that live in the
 * black/white points); gammas then move the channel means towards a common grey
 * (grey-world, only mid-tones move, 0 and 1 stay fixed). Guards keep good photos as they are:
 * ranges that are already nearly full are not stretched, gains and gammas are capped, and a
 * monochrome photo gets identical curves for all channels so it stays monochrome.
 */
import { createPlanar, type PlanarImage } from '../image.ts';

export interface ColourCorrection {
  black: [number, number, number];
  white: [number, number, number];
  gamma: [number, number, number];
  /** True when the statistics found a monochrome photo (identical curves). */
  monochrome: boolean;
}

export interface ColourOptions {
  /** Low/high percentiles for the black/white points (fractions). Default 0.005 / 0.995. */
  lowPercentile?: number;
  highPercentile?: number;
  /** Black points below / white points above these are treated as already full range. */
  fullLow?: number;
  fullHigh?: number;
  /** Largest allowed contrast gain 1/(white-black). Default 4. */
  maxGain?: number;
  /** Grey-world strength 0..1 (0 keeps the channel balance after levels). Default 0.8. */
  castStrength?: number;
  /** Gammas are clamped to [1/maxGamma, maxGamma]. Default 1.6. */
  maxGamma?: number;
  /** Mean per-pixel channel spread (max-min, [0,1]) below which a photo counts as monochrome. Default 0.012. */
  monoThreshold?: number;
}

export const IDENTITY_CORRECTION: ColourCorrection = {
  black: [0, 0, 0], white: [1, 1, 1], gamma: [1, 1, 1], monochrome: false,
};

/** Percentiles of values clipped to [0,1] via a 4096-bin histogram (fast, thumbnail-sized input). */
export function percentiles(values: Float32Array, offset: number, length: number, ps: number[]): number[] {
  const BINS = 4096;
  const hist = new Uint32Array(BINS);
  for (let i = 0; i < length; i++) {
    const v = values[offset + i];
    const b = v <= 0 ? 0 : v >= 1 ? BINS - 1 : Math.floor(v * BINS);
    hist[b]++;
  }
  return ps.map((p) => {
    const target = p * (length - 1);
    let cum = 0;
    for (let b = 0; b < BINS; b++) {
      cum += hist[b];
      if (cum > target) return (b + 0.5) / BINS;
    }
    return 1;
  });
}

/** Measures a photo (normally a thumbnail) and returns the correction to apply. */
export function computeColourCorrection(img: PlanarImage, opts: ColourOptions = {}): ColourCorrection {
  if (img.channels !== 3) throw new Error('computeColourCorrection needs an RGB image');
  const lowP = opts.lowPercentile ?? 0.005, highP = opts.highPercentile ?? 0.995;
  const fullLow = opts.fullLow ?? 0.03, fullHigh = opts.fullHigh ?? 0.97;
  const maxGain = opts.maxGain ?? 4;
  const castStrength = opts.castStrength ?? 0.8;
  const maxGamma = opts.maxGamma ?? 1.6;
  const n = img.width * img.height;
  const d = img.data;

  let spread = 0;
  for (let i = 0; i < n; i++) {
    const r = d[i], g = d[n + i], b = d[2 * n + i];
    spread += Math.max(r, g, b) - Math.min(r, g, b);
  }
  const monochrome = spread / n < (opts.monoThreshold ?? 0.012);

  const levels = (lo: number, hi: number): [number, number] => {
    let black = lo > fullLow ? lo : 0;
    let white = hi < fullHigh ? hi : 1;
    if (white - black < 1 / maxGain) {
      // Too little range to stretch safely: stretch only up to maxGain around the middle.
      const mid = (white + black) / 2;
      black = Math.max(0, mid - 0.5 / maxGain);
      white = Math.min(1, black + 1 / maxGain);
    }
    return [black, white];
  };

  if (monochrome) {
    const luma = new Float32Array(n);
    for (let i = 0; i < n; i++) luma[i] = 0.299 * d[i] + 0.587 * d[n + i] + 0.114 * d[2 * n + i];
    const [lo, hi] = percentiles(luma, 0, n, [lowP, highP]);
    const [black, white] = levels(lo, hi);
    return { black: [black, black, black], white: [white, white, white], gamma: [1, 1, 1], monochrome: true };
  }

  const black: [number, number, number] = [0, 0, 0];
  const white: [number, number, number] = [1, 1, 1];
  for (let c = 0; c < 3; c++) {
    const [lo, hi] = percentiles(d, c * n, n, [lowP, highP]);
    [black[c], white[c]] = levels(lo, hi);
  }
  // Grey world on the levelled image: per-channel gamma so each mean moves towards the common mean.
  const means = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const inv = 1 / (white[c] - black[c]);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.min(1, Math.max(0, (d[c * n + i] - black[c]) * inv));
    means[c] = s / n;
  }
  const target = (means[0] + means[1] + means[2]) / 3;
  const gamma: [number, number, number] = [1, 1, 1];
  if (target > 0.02 && target < 0.98) {
    for (let c = 0; c < 3; c++) {
      const m = Math.min(0.98, Math.max(0.02, means[c]));
      const full = Math.log(target) / Math.log(m);
      const g = Math.exp(castStrength * Math.log(full));
      gamma[c] = Math.min(maxGamma, Math.max(1 / maxGamma, g));
    }
  }
  return { black, white, gamma, monochrome: false };
}

/** Applies a correction pointwise (any tile, any size). Values are not clipped. */
export function applyColourCorrection(tile: PlanarImage, corr: ColourCorrection): PlanarImage {
  const { width: W, height: H, channels: C } = tile;
  const n = W * H;
  const out = createPlanar(W, H, C);
  for (let c = 0; c < C; c++) {
    const k = Math.min(c, 2);
    const black = corr.black[k], inv = 1 / (corr.white[k] - corr.black[k]), g = corr.gamma[k];
    const src = tile.data.subarray(c * n, (c + 1) * n), dst = out.data.subarray(c * n, (c + 1) * n);
    if (g === 1) {
      for (let i = 0; i < n; i++) dst[i] = (src[i] - black) * inv;
    } else {
      for (let i = 0; i < n; i++) {
        const t = (src[i] - black) * inv;
        dst[i] = t > 0 ? Math.pow(t, g) : t;
      }
    }
  }
  return out;
}

/** Blends a correction towards identity (strength 0 = identity, 1 = full), for a user slider. */
export function scaleCorrection(corr: ColourCorrection, strength: number): ColourCorrection {
  const s = Math.min(1, Math.max(0, strength));
  const lerp = (a: number, b: number) => a + (b - a) * s;
  return {
    black: corr.black.map((b) => lerp(0, b)) as [number, number, number],
    white: corr.white.map((w) => lerp(1, w)) as [number, number, number],
    gamma: corr.gamma.map((g) => Math.exp(s * Math.log(g))) as [number, number, number],
    monochrome: corr.monochrome,
  };
}

/** How far a correction is from identity (0 = none): largest change it makes to any grey level. */
export function correctionMagnitude(corr: ColourCorrection): number {
  let m = 0;
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v <= 1.0001; v += 0.05) {
      const t = Math.min(1, Math.max(0, (v - corr.black[c]) / (corr.white[c] - corr.black[c])));
      m = Math.max(m, Math.abs(Math.pow(t, corr.gamma[c]) - v));
    }
  }
  return m;
}
