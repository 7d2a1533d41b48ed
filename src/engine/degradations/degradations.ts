/**
 * TypeScript side of the evaluation degradations. The single definition lives in
 * training/heirloom_train/data/degradations.py; everything here mirrors it operation
 * for operation in float64 (same draw order, same RNG counters, same blur summation
 * order) and only casts to float32 at the end, so results match Python to float32
 * precision. Index mapping: Python arrays are HWC, ours are CHW planes, so the Python
 * element (y, x, c) with counter (y*W + x)*C + c lands at data[c*W*H + y*W + x].
 * Not ported: the JPEG codec (`jpeg`, `jpeg_random`, the JPEG step of `realistic`),
 * which cannot be bit-exact across codecs.
 */
import { createPlanar, type PlanarImage } from '../image.ts';
import { CounterRNG } from './rng.ts';

/** Parameters as in the Python keyword arguments (snake_case names kept). */
export type DegradationParams = Record<string, number | boolean | undefined>;
export type DegradationFn = (img: PlanarImage, params: DegradationParams, rng: CounterRNG | number, stream?: number) => PlanarImage;

function asRng(rng: CounterRNG | number, stream = 0): CounterRNG {
  return typeof rng === 'number' ? new CounterRNG(rng, stream) : rng;
}

function num(p: DegradationParams, key: string, dflt: number): number {
  const v = p[key];
  return typeof v === 'number' ? v : dflt;
}

/** Same taps as Python `gaussian_kernel1d`: radius max(1, ceil(3s)), normalised in float64. */
export function gaussianKernel1d(s: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * s));
  const w = new Float64Array(2 * r + 1);
  for (let k = -r; k <= r; k++) w[k + r] = Math.exp(-(k * k) / (2.0 * s * s));
  const total = pairwiseSum(w);
  for (let k = 0; k < w.length; k++) w[k] /= total;
  return w;
}

/** numpy's summation order for short float64 arrays (8 partial sums for n >= 8), so sums agree to the last bit. */
function pairwiseSum(a: Float64Array): number {
  const n = a.length;
  if (n < 8) {
    let s = 0; // numpy starts from -0.0 but the result is the same for our positive values
    for (let i = 0; i < n; i++) s += a[i];
    return s;
  }
  if (n > 128) {
    const half = (n >> 1) - ((n >> 1) % 8);
    return pairwiseSum(a.subarray(0, half)) + pairwiseSum(a.subarray(half));
  }
  const r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
  let i = 8;
  for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[i + j];
  let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; i++) res += a[i];
  return res;
}

function reflect101(i: number, n: number): number {
  let idx = Math.abs(i);
  if (idx > n - 1) idx = 2 * (n - 1) - idx;
  return Math.min(Math.max(idx, 0), n - 1);
}

/** Python `blur_separable` on one HxW float64 plane: horizontal then vertical, reflect-101. */
export function blurPlane64(a: Float64Array, W: number, H: number, s: number): Float64Array {
  if (s <= 0) return a.slice();
  const w = gaussianKernel1d(s);
  const r = (w.length - 1) / 2;
  const xi = new Int32Array(W + 2 * r);
  for (let i = 0; i < xi.length; i++) xi[i] = reflect101(i - r, W);
  const tmp = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * a[row + xi[x + k]];
      tmp[row + x] = acc;
    }
  }
  const yi = new Int32Array(H + 2 * r);
  for (let i = 0; i < yi.length; i++) yi[i] = reflect101(i - r, H);
  const out = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * tmp[yi[y + k] * W + x];
      out[y * W + x] = acc;
    }
  }
  return out;
}

function sumSquares(w: Float64Array): number {
  const sq = new Float64Array(w.length);
  for (let k = 0; k < w.length; k++) sq[k] = w[k] * w[k];
  return pairwiseSum(sq);
}

/** Splits an interleaved (H, W, C) float64 noise array into C planes. */
function deinterleave(n: Float64Array, HW: number, C: number): Float64Array[] {
  const planes: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const p = new Float64Array(HW);
    for (let i = 0; i < HW; i++) p[i] = n[i * C + c];
    planes.push(p);
  }
  return planes;
}

/** Additive white Gaussian noise, sigma on the 0-255 scale, not clipped (standard protocol). */
export function gaussianNoise(img: PlanarImage, sigma: number, rngOrSeed: CounterRNG | number, stream = 0): PlanarImage {
  const rng = asRng(rngOrSeed, stream);
  const { width: W, height: H, channels: C } = img;
  const HW = W * H;
  const z = rng.normal(HW * C);
  const out = createPlanar(W, H, C);
  const s = sigma / 255.0;
  for (let c = 0; c < C; c++) {
    const off = c * HW;
    for (let i = 0; i < HW; i++) out.data[off + i] = img.data[off + i] + s * z[i * C + c];
  }
  return out;
}

/**
 * Gaussian noise computed from exact 8-bit values (x = u8/255 in float64), the
 * evaluation protocol's form: avoids the float32 rounding of an intermediate [0,1] image.
 */
export function gaussianNoiseFrom8bit(rgba: { width: number; height: number; data: Uint8ClampedArray | Uint8Array }, sigma: number, seed: number, stream = 0): PlanarImage {
  const rng = new CounterRNG(seed, stream);
  const { width: W, height: H } = rgba;
  const HW = W * H;
  const z = rng.normal(HW * 3);
  const out = createPlanar(W, H, 3);
  const s = sigma / 255.0;
  for (let i = 0; i < HW; i++) {
    for (let c = 0; c < 3; c++) out.data[c * HW + i] = rgba.data[i * 4 + c] / 255 + s * z[i * 3 + c];
  }
  return out;
}

/** Signal-dependent noise: y = x + sqrt(a*max(x,0) + b^2) * n ([0,1] units). Not clipped. */
export function poissonGaussian(img: PlanarImage, a: number, b: number, rngOrSeed: CounterRNG | number, stream = 0): PlanarImage {
  const rng = asRng(rngOrSeed, stream);
  const { width: W, height: H, channels: C } = img;
  const HW = W * H;
  const z = rng.normal(HW * C);
  const out = createPlanar(W, H, C);
  for (let c = 0; c < C; c++) {
    const off = c * HW;
    for (let i = 0; i < HW; i++) {
      const x = img.data[off + i];
      const std = Math.sqrt(a * Math.max(x, 0.0) + b * b);
      out.data[off + i] = x + std * z[i * C + c];
    }
  }
  return out;
}

/** Luminance-dependent, spatially correlated film grain (see Python `film_grain`). Not clipped. */
export function filmGrain(img: PlanarImage, amount: number, size: number, mono: boolean, floor: number, rngOrSeed: CounterRNG | number, stream = 0): PlanarImage {
  const rng = asRng(rngOrSeed, stream);
  const { width: W, height: H } = img;
  const HW = W * H;
  const C = mono ? 1 : 3;
  let planes = deinterleave(rng.normal(HW * C), HW, C);
  if (size > 0) {
    const norm = sumSquares(gaussianKernel1d(size));
    planes = planes.map((p) => {
      const b = blurPlane64(p, W, H, size);
      for (let i = 0; i < HW; i++) b[i] /= norm;
      return b;
    });
  }
  const out = createPlanar(W, H, img.channels);
  const d = img.data;
  for (let i = 0; i < HW; i++) {
    let L = 0.299 * d[i] + 0.587 * d[HW + i] + 0.114 * d[2 * HW + i];
    L = Math.min(Math.max(L, 0.0), 1.0);
    const amp = amount * (floor + (1.0 - floor) * 4.0 * L * (1.0 - L));
    if (mono) {
      const g = amp * planes[0][i];
      for (let c = 0; c < 3; c++) out.data[c * HW + i] = d[c * HW + i] + g;
    } else {
      for (let c = 0; c < 3; c++) out.data[c * HW + i] = d[c * HW + i] + amp * planes[c][i];
    }
  }
  return out;
}

/** Low-frequency noise on Cb/Cr (BT.601), see Python `chroma_noise`. Not clipped. */
export function chromaNoise(img: PlanarImage, amount: number, scale: number, rngOrSeed: CounterRNG | number, stream = 0): PlanarImage {
  const rng = asRng(rngOrSeed, stream);
  const { width: W, height: H } = img;
  const HW = W * H;
  const norm = sumSquares(gaussianKernel1d(scale));
  const [cb, cr] = deinterleave(rng.normal(HW * 2), HW, 2).map((p) => {
    const b = blurPlane64(p, W, H, scale);
    for (let i = 0; i < HW; i++) b[i] = (b[i] / norm) * amount;
    return b;
  });
  const out = createPlanar(W, H, img.channels);
  const d = img.data;
  for (let i = 0; i < HW; i++) {
    out.data[i] = d[i] + 1.402 * cr[i];
    out.data[HW + i] = d[HW + i] + (-0.344136 * cb[i] - 0.714136 * cr[i]);
    out.data[2 * HW + i] = d[2 * HW + i] + 1.772 * cb[i];
  }
  return out;
}

/** Rounds/clips to k/255 (same rule as Python `quantize8`). */
function quantize8InPlace(img: PlanarImage): PlanarImage {
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const k = Math.floor(d[i] * 255.0 + 0.5);
    d[i] = (k < 0 ? 0 : k > 255 ? 255 : k) / 255.0;
  }
  return img;
}

export const REALISTIC_DEFAULTS = {
  grain_amount: [0.01, 0.08],
  grain_size: [0.0, 1.5],
  p_mono: 0.6,
  p_chroma: 0.5,
  chroma_amount: [0.005, 0.04],
  chroma_scale: [1.0, 4.0],
  p_jpeg: 0.6,
  jpeg_quality: [30, 95],
} as const;

export interface RealisticDraws {
  grainAmount: number; grainSize: number; mono: boolean; useChroma: boolean;
  chromaAmount: number; chromaScale: number; useJpeg: boolean; jpegQuality: number;
}

/** The 8 parameter draws of Python `realistic` (from rng.fork(0), in the documented order). */
export function realisticDraws(rng: CounterRNG): RealisticDraws {
  const d = REALISTIC_DEFAULTS;
  const p = rng.fork(0);
  const unif = (lo: number, hi: number) => lo + (hi - lo) * p.uniform1();
  const grainAmount = unif(d.grain_amount[0], d.grain_amount[1]);
  const grainSize = unif(d.grain_size[0], d.grain_size[1]);
  const mono = p.uniform1() < d.p_mono;
  const useChroma = p.uniform1() < d.p_chroma;
  const chromaAmount = unif(d.chroma_amount[0], d.chroma_amount[1]);
  const chromaScale = unif(d.chroma_scale[0], d.chroma_scale[1]);
  const useJpeg = p.uniform1() < d.p_jpeg;
  // Python round() is half-to-even; ties cannot occur with these continuous draws in practice.
  const jpegQuality = Math.round(unif(d.jpeg_quality[0], d.jpeg_quality[1]));
  return { grainAmount, grainSize, mono, useChroma, chromaAmount, chromaScale, useJpeg, jpegQuality };
}

/**
 * Python `realistic(img, rng, jpeg_enabled=False)`: grain (+ optional chroma noise), then
 * 8-bit quantisation. The JPEG step is not ported (see `realisticDraws().useJpeg`).
 */
export function realisticNoJpeg(img: PlanarImage, rngOrSeed: CounterRNG | number, stream = 0): PlanarImage {
  const rng = asRng(rngOrSeed, stream);
  const p = realisticDraws(rng);
  let out = filmGrain(img, p.grainAmount, p.grainSize, p.mono, 0.35, rng.fork(1));
  if (p.useChroma) out = chromaNoise(out, p.chromaAmount, p.chromaScale, rng.fork(2));
  return quantize8InPlace(out);
}

/** Registry mirroring Python `DEGRADATIONS` for the ported entries (same names and parameter names). */
export const DEGRADATIONS: Record<string, DegradationFn> = {
  gaussian: (img, p, rng, stream) => gaussianNoise(img, num(p, 'sigma', 25.0), rng, stream),
  poisson_gaussian: (img, p, rng, stream) => poissonGaussian(img, num(p, 'a', 0.01), num(p, 'b', 0.02), rng, stream),
  film_grain: (img, p, rng, stream) =>
    filmGrain(img, num(p, 'amount', 0.05), num(p, 'size', 0.8), p.mono === undefined ? true : Boolean(p.mono), num(p, 'floor', 0.35), rng, stream),
  chroma_noise: (img, p, rng, stream) => chromaNoise(img, num(p, 'amount', 0.03), num(p, 'scale', 2.0), rng, stream),
  realistic: (img, p, rng, stream) => {
    if (p.jpeg_enabled !== false) throw new Error('realistic: JPEG is not reproducible in TS; pass jpeg_enabled: false');
    return realisticNoJpeg(img, rng, stream);
  },
};

export function applyDegradation(name: string, img: PlanarImage, params: DegradationParams, rng: CounterRNG | number, stream = 0): PlanarImage {
  const fn = DEGRADATIONS[name];
  if (!fn) throw new Error(`Unknown degradation '${name}' (ported: ${Object.keys(DEGRADATIONS).join(', ')})`);
  return fn(img, params, rng, stream);
}
