/**
 * Deconvolution by a known or estimated blur kernel, and the checks that decide whether an
 * estimated kernel is trusted. The reference is training/heirloom_train/deconv.py (where the
 * method and its limits were measured); this follows it on power-of-two FFT grids.
 *
 * Why the engine has it: the blind deblurring net recovers little of a 9-15 px camera shake, and
 * deconvolving by an estimated kernel recovers much more on the photos whose estimate passes
 * `useEstimate` (training/tools/blind_kernel_study.py; numbers in docs/models/deblur.md).
 */
import SHARED from '../shared-constants.json';
import { fft2, fftFreq, ifft2Real, nextPow2, type RowRange } from './fft2.ts';

/** A square blur kernel, odd side, row-major, summing to 1; its middle pixel is its centre. */
export interface BlurKernel {
  size: number;
  data: Float64Array;
}

/** Mirrored border (px) around a deconvolved plane, so the FFT's wrap-around does not ring into it. */
export const WIENER_PAD = 32;
/** Gradient weight of the deconvolution the deblur stage applies (the study's --lam). */
export const WIENER_LAMBDA = 0.01;

export function deltaKernel(size = 1): BlurKernel {
  const data = new Float64Array(size * size);
  data[(size >> 1) * size + (size >> 1)] = 1;
  return { size, data };
}

/** numpy's 'symmetric' padding index (edge repeated), periodic so any distance works. */
function symmetricIndex(i: number, n: number): number {
  const period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

/**
 * How one axis of a plane of `n` samples fills a periodic grid of `size` with the plane starting at
 * `start`: inside, the plane itself; in the border, a cross-fade (raised cosine) from the mirror of
 * the near edge to the mirror of the far edge, which the grid wraps round to. A plain mirror would
 * leave a step where the grid wraps, and the deconvolution rings from such a step into the photo.
 */
function borderPlan(n: number, size: number, start: number) {
  const near = new Int32Array(size), far = new Int32Array(size), weight = new Float64Array(size);
  const border = size - n;
  for (let g = 0; g < size; g++) {
    const p = g - start;
    if (p >= 0 && p < n) {
      near[g] = far[g] = p;
      weight[g] = 1;
      continue;
    }
    const d = p >= n ? p - n : p + size - n; // distance past the far (right / bottom) edge, through the border
    near[g] = symmetricIndex(n + d, n);
    far[g] = symmetricIndex(-1 - (border - 1 - d), n);
    weight[g] = 0.5 + 0.5 * Math.cos((Math.PI * (d + 0.5)) / border);
  }
  return { near, far, weight };
}

/** A plane placed on a periodic W x H grid with smooth borders (borderPlan on both axes). */
function placeOnGrid(plane: ArrayLike<number>, width: number, height: number, W: number, H: number, left: number, top: number, out: Float64Array) {
  const bx = borderPlan(width, W, left), by = borderPlan(height, H, top);
  const rows = new Float64Array(W * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < W; x++) {
      const w = bx.weight[x];
      rows[y * W + x] = w * plane[y * width + bx.near[x]] + (1 - w) * plane[y * width + bx.far[x]];
    }
  }
  for (let y = 0; y < H; y++) {
    const w = by.weight[y], a = by.near[y] * W, b = by.far[y] * W;
    for (let x = 0; x < W; x++) out[y * W + x] = w * rows[a + x] + (1 - w) * rows[b + x];
  }
}

/** The kernel's transfer function on a W x H grid, its centre moved to the origin. */
export function kernelSpectrum(k: BlurKernel, width: number, height: number) {
  const grid = new Float64Array(width * height), h = k.size >> 1;
  for (let i = 0; i < k.size; i++) {
    for (let j = 0; j < k.size; j++) {
      const y = (i - h + height) % height, x = (j - h + width) % width;
      grid[y * width + x] += k.data[i * k.size + j];
    }
  }
  return fft2(grid, width, height);
}

/** |F(dx)|^2 + |F(dy)|^2 of forward differences at frequency (u, v) of a W x H grid. */
function gradientPower(u: number, v: number, width: number, height: number): number {
  return 4 - 2 * Math.cos((2 * Math.PI * u) / width) - 2 * Math.cos((2 * Math.PI * v) / height);
}

/**
 * argmin_x |k * x - y|^2 + lam |grad x|^2 for each plane (width x height, row-major), in closed
 * form in the Fourier domain, on a border at least WIENER_PAD wide (more where the power-of-two
 * grid leaves room) that mirrors the photo and wraps round smoothly. Returns new planes, unclipped.
 */
export function wienerPlanes(planes: ArrayLike<number>[], width: number, height: number, k: BlurKernel, lam: number): Float64Array[] {
  const { W, H } = deconvolutionGrid(width, height), gain = wienerGain(k, lam, W, H);
  return planes.map((plane) => deconvolvedBy(wienerSource(plane, width, height), gain));
}

/** A plane placed on its deconvolution grid and transformed, for deconvolving it by several kernels in turn. */
export interface WienerSource {
  width: number;
  height: number;
  grid: ReturnType<typeof deconvolutionGrid>;
  spectrum: Float64Array;
}

export function wienerSource(plane: ArrayLike<number>, width: number, height: number): WienerSource {
  const grid = deconvolutionGrid(width, height), { W, H } = grid;
  const padded = new Float64Array(W * H);
  placeOnGrid(plane, width, height, W, H, grid.left, grid.top, padded);
  return { width, height, grid, spectrum: fft2(padded, W, H).data };
}

/** `wienerPlanes` for one prepared plane (left as it was). */
export function wienerOf(src: WienerSource, k: BlurKernel, lam: number): Float64Array {
  return deconvolvedBy(src, wienerGain(k, lam, src.grid.W, src.grid.H));
}

/** The Wiener filter conj(K) / (|K|^2 + lam |grad|^2) on a W x H grid, interleaved (re, im). */
function wienerGain(k: BlurKernel, lam: number, W: number, H: number): Float64Array {
  const K = kernelSpectrum(k, W, H).data, G = gradientPowers(W, H);
  const gain = new Float64Array(2 * W * H);
  for (let f = 0; f < W * H; f++) {
    const i = 2 * f, re = K[i], im = K[i + 1];
    const d = re * re + im * im + lam * G[f];
    gain[i] = re / d;
    gain[i + 1] = -im / d;
  }
  return gain;
}

/** A prepared plane's spectrum times `gain`, transformed back and cut out of its grid. */
function deconvolvedBy(src: WienerSource, gain: Float64Array): Float64Array {
  const { grid, width, height } = src, spectrum = src.spectrum, s = new Float64Array(spectrum.length);
  for (let i = 0; i < s.length; i += 2) {
    const re = spectrum[i], im = spectrum[i + 1];
    s[i] = re * gain[i] - im * gain[i + 1];
    s[i + 1] = re * gain[i + 1] + im * gain[i];
  }
  return cropFromGrid(ifft2Real({ width: grid.W, height: grid.H, data: s }, cropRows(grid, height)), grid, width, height);
}

/** `gradientPower` over a W x H grid, row-major; the last few grids' tables are kept. */
const powerTables = new Map<string, Float64Array>();
function gradientPowers(W: number, H: number): Float64Array {
  const key = `${W}x${H}`;
  let G = powerTables.get(key);
  if (!G) {
    G = new Float64Array(W * H);
    for (let v = 0; v < H; v++) for (let u = 0; u < W; u++) G[v * W + u] = gradientPower(u, v, W, H);
    if (powerTables.size >= 8) powerTables.delete(powerTables.keys().next().value!);
    powerTables.set(key, G);
  }
  return G;
}

/** The power-of-two grid a width x height plane is deconvolved on, and where the plane sits in it. */
function deconvolutionGrid(width: number, height: number) {
  const W = nextPow2(width + 2 * WIENER_PAD), H = nextPow2(height + 2 * WIENER_PAD);
  return { W, H, left: (W - width) >> 1, top: (H - height) >> 1 };
}

/** The grid rows a crop of `height` rows keeps (`ifft2Real` transforms only those). */
function cropRows(grid: ReturnType<typeof deconvolutionGrid>, height: number): RowRange[] {
  return [{ from: grid.top, to: grid.top + height }];
}

/** The width x height plane cut back out of a grid-sized result. */
function cropFromGrid(full: Float64Array, grid: ReturnType<typeof deconvolutionGrid>, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height), { W, left, top } = grid;
  for (let y = 0; y < height; y++) out.set(full.subarray((y + top) * W + left, (y + top) * W + left + width), y * width);
  return out;
}

/**
 * Weight of the total-variation prior the deblur stage deconvolves camera shake with
 * (`tvDeconvolvePlanes`), chosen on the calibration photos (32 CBSD432 photos, seed 7; never a test
 * set): within a few hundredths of a dB of the best weight, with less halo, and above Wiener on both.
 * Reproduce: training/tools/tv_weight_study.py on the calibration sets; numbers in docs/models/deblur.md.
 */
export const TV_MU = 7e-4;
/** Half-quadratic rounds after the Wiener start: each doubles beta (0.01 -> 2.56). */
export const TV_ROUNDS = 8;

/**
 * argmin_x 0.5 |k * x - y|^2 + mu |grad x|_1 (anisotropic total variation) for each plane, by
 * half-quadratic splitting (Wang, Yang, Yin & Zhang, "A new alternating minimization algorithm for
 * total variation image reconstruction", 2008): start from `wienerPlanes`' solution with weight
 * `beta`, then `rounds` times (1) w = grad x, each difference shrunk towards 0 by mu / beta, (2) x =
 * argmin |k * x - y|^2 + beta |grad x - w|^2 in closed form, and double beta. Wiener's quadratic
 * prior spreads the kernel's lost frequencies into ripples on both sides of every edge (the halo
 * the blur evaluation measures); shrinking small differences removes the ripples and keeps the
 * edges. Same grid and border as `wienerPlanes`; each round costs two FFTs per plane. Unclipped.
 */
export function tvDeconvolvePlanes(planes: ArrayLike<number>[], width: number, height: number, k: BlurKernel, mu = TV_MU, beta0 = WIENER_LAMBDA, rounds = TV_ROUNDS): Float64Array[] {
  const grid = deconvolutionGrid(width, height), { W, H } = grid, n = W * H;
  const K = kernelSpectrum(k, W, H).data;
  const G = gradientPowers(W, H), K2 = new Float64Array(n);
  for (let i = 0; i < n; i++) K2[i] = K[2 * i] * K[2 * i] + K[2 * i + 1] * K[2 * i + 1];
  const padded = new Float64Array(n), div = new Float64Array(n);
  const shrink = (d: number, t: number) => (d > t ? d - t : d < -t ? d + t : 0);
  return planes.map((plane) => {
    placeOnGrid(plane, width, height, W, H, grid.left, grid.top, padded);
    const Y = fft2(padded, W, H).data;
    const KY = new Float64Array(2 * n); // conj(K) Y
    for (let i = 0; i < n; i++) {
      const kr = K[2 * i], ki = K[2 * i + 1], yr = Y[2 * i], yi = Y[2 * i + 1];
      KY[2 * i] = kr * yr + ki * yi;
      KY[2 * i + 1] = kr * yi - ki * yr;
    }
    let beta = beta0;
    const spec = { width: W, height: H, data: new Float64Array(2 * n) };
    // x = argmin |k * x - y|^2 + beta |grad x - w|^2: (conj(K) Y + beta F(D^T w)) / (|K|^2 + beta |F(D)|^2);
    // without w (the start) that is Wiener with weight beta
    const solve = (Dw: Float64Array | null) => {
      for (let i = 0; i < n; i++) {
        const d = K2[i] + beta * G[i];
        spec.data[2 * i] = (KY[2 * i] + (Dw ? beta * Dw[2 * i] : 0)) / d;
        spec.data[2 * i + 1] = (KY[2 * i + 1] + (Dw ? beta * Dw[2 * i + 1] : 0)) / d;
      }
    };
    solve(null);
    for (let r = 0; r < rounds; r++) {
      const x = ifft2Real(spec), t = mu / beta;
      // div = Dx^T wx + Dy^T wy for forward differences D (circular, like the grid): Dx^T w[i] = w[i-1] - w[i]
      div.fill(0);
      for (let y = 0; y < H; y++) {
        const row = y * W, down = ((y + 1) % H) * W;
        for (let xx = 0; xx < W; xx++) {
          const i = row + xx, right = row + ((xx + 1) % W), below = down + xx;
          const wx = shrink(x[right] - x[i], t), wy = shrink(x[below] - x[i], t);
          div[i] -= wx + wy;
          div[right] += wx;
          div[below] += wy;
        }
      }
      beta *= 2;
      solve(fft2(div, W, H).data);
    }
    return cropFromGrid(ifft2Real(spec, cropRows(grid, height)), grid, width, height);
  });
}

/** The kernel's 2 x 2 second moments (xx, xy, yy) about its middle pixel. */
function secondMoments(k: BlurKernel) {
  const c = (k.size - 1) / 2;
  let xx = 0, xy = 0, yy = 0;
  for (let i = 0; i < k.size; i++) {
    for (let j = 0; j < k.size; j++) {
      const w = k.data[i * k.size + j], dx = j - c, dy = i - c;
      xx += w * dx * dx; xy += w * dx * dy; yy += w * dy * dy;
    }
  }
  return { xx, xy, yy };
}

/** Root-mean-square distance of the kernel's mass from its middle, px (1 px disk 0.9, 4 px disk 2.9, 9 px shake about 3). */
export function kernelSpread(k: BlurKernel): number {
  const m = secondMoments(k);
  return Math.sqrt(m.xx + m.yy);
}

/** sqrt of the ratio of the kernel's principal second moments: 1 for a disk, 2-5 for most camera shake. */
export function kernelElongation(k: BlurKernel): number {
  const { xx, xy, yy } = secondMoments(k);
  const mean = (xx + yy) / 2, d = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  return Math.sqrt((mean + d) / Math.max(mean - d, 1e-12));
}

/**
 * How much the kernel fills the disk its spread implies: its effective pixel count (1 / sum k^2)
 * over pi spread^2. About 2 for a disk or a Gaussian (defocus), 12 / (pi L) for a straight stroke
 * of length L (0.25 at 15 px): camera shake is a thin trajectory, defocus a filled blob, whatever
 * the trajectory's elongation (a shake that curls back on itself is round but thin).
 */
export function kernelCompactness(k: BlurKernel): number {
  let sq = 0;
  for (const v of k.data) sq += v * v;
  const spread = kernelSpread(k);
  return spread > 0 ? 1 / sq / (Math.PI * spread * spread) : Infinity;
}

function hann(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1))));
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Does the photo look blurred by `k`? Where the kernel's spectrum is near zero (|K|^2 < 0.003, at
 * 0.03-0.25 cycles/px) a photo it blurred keeps only noise; one it did not blur keeps detail
 * there. The median power there over the noise floor (median power above 0.4 cycles/px), or
 * Infinity when the kernel wipes out too few frequencies to tell. The windowed plane is zero-padded
 * to a power-of-two grid, so the count of such frequencies is taken per photo pixel.
 */
export function zerosPowerRatio(grey: ArrayLike<number>, width: number, height: number, k: BlurKernel): number {
  const W = nextPow2(width), H = nextPow2(height);
  let mean = 0;
  for (let i = 0; i < width * height; i++) mean += grey[i];
  mean /= width * height;
  const wx = hann(width), wy = hann(height);
  const grid = new Float64Array(W * H);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) grid[y * W + x] = (grey[y * width + x] - mean) * wy[y] * wx[x];
  const P = fft2(grid, W, H).data, K = kernelSpectrum(k, W, H).data;
  const atZeros: number[] = [], floor: number[] = [];
  for (let v = 0; v < H; v++) {
    const fy = fftFreq(v, H);
    for (let u = 0; u < W; u++) {
      const r = Math.hypot(fy, fftFreq(u, W)), i = 2 * (v * W + u);
      const power = P[i] * P[i] + P[i + 1] * P[i + 1];
      if (r > 0.4) floor.push(power);
      else if (r > 0.03 && r < 0.25 && K[i] * K[i] + K[i + 1] * K[i + 1] < 0.003) atZeros.push(power);
    }
  }
  const minZeros = (20 * W * H) / (width * height);
  if (atZeros.length < minZeros) return Infinity;
  return median(atZeros) / Math.max(median(floor), 1e-20);
}

export interface KernelChecks {
  spread: number;
  elongation: number;
  compactness: number;
  zerosRatio: number;
}

export function kernelChecks(grey: ArrayLike<number>, width: number, height: number, k: BlurKernel): KernelChecks {
  return { spread: kernelSpread(k), elongation: kernelElongation(k), compactness: kernelCompactness(k), zerosRatio: zerosPowerRatio(grey, width, height, k) };
}

/**
 * The limits `useEstimate` applies, set by training/tools/calibrate_shake_gate.py on the engine's
 * own estimates for 32 CBSD432 photos (not a test set) blurred eight ways (sharp, defocus 1, 2 and 4,
 * Gaussian sigma 1, shake 5, 9 and 15 px; make_blur_set.py seed 7), weighing the net against the
 * stage's total-variation deconvolution by the estimate. The Python reference's gate (deconv.py:
 * spread 2.5, elongation 2, ratio 10) missed curled shakes and let through a few defocus estimates.
 *
 * Two regions. `shake`: a kernel that spreads, thin as a trajectory is, and that the photo's
 * spectrum confirms (a sharp photo's spurious streak in fine texture reads 10 or more, or has no
 * zeros to check). `smallShake` (spread under the shake region's): a short shake (about 5 px) is a
 * small, filled, elongated spot whose spectrum has too few zeros to confirm it (ratio Infinity); it
 * is kept apart from the spots that sharp and radius-1 defocus photos give by its spread, with a
 * 0.1 px margin, and from defocus by its elongation (a disk's estimate is round, mostly 1.0-1.2).
 * Set with `--max-cost 0.25` after the estimate began fitting to more edges (kernel-estimate.ts
 * EDGE_SHARE): large gains on shake for small losses on the round blurs whose estimates came out
 * elongated. The calibration numbers and the gate's history: docs/models/deblur.md.
 *
 * `halfway`: kernels the two regions do not trust but that could still be shake (a filled spot,
 * spread and elongation between a short shake's and defocus'): the stage takes `weight` of the
 * deconvolution and the rest from the net. On such photos deconvolution gains much where the blur was
 * a shake and loses a little where it was defocus (calibration photos); the blend keeps most of the
 * first and little of the second. Set by training/tools/shake_gate_checks_study.py on the same
 * calibration photos (its best region and weight among those costing no case over 0.1 dB, none taking
 * a sharp or radius-1 defocus photo); what it gains: docs/models/deblur.md.
 *
 * The values live in shared-constants.json, which training/heirloom_train/shared_constants.py reads.
 */
export const ESTIMATE_LIMITS: typeof SHARED.shakeGate = SHARED.shakeGate;

/**
 * Whether deconvolution by an estimated kernel should replace the blind net: only for camera
 * shake (`ESTIMATE_LIMITS`' two regions). Round kernels (defocus) stay with the net, which beats
 * deconvolution on them, and so does the small spot a sharp photo's estimate is.
 */
export function useEstimate(c: KernelChecks, limits = ESTIMATE_LIMITS): boolean {
  const { shake, smallShake } = limits;
  if (c.spread >= shake.minSpread) return c.compactness <= shake.maxCompactness && c.zerosRatio < shake.maxZerosRatio;
  return c.spread >= smallShake.minSpread && c.elongation >= smallShake.minElongation && c.compactness >= smallShake.minCompactness;
}

/**
 * How much of the deblur stage's result comes from deconvolution by the estimate: 1 where
 * `useEstimate` trusts it, `ESTIMATE_LIMITS.halfway.weight` where the kernel might be shake or
 * defocus, 0 elsewhere (the net alone).
 */
export function estimateWeight(c: KernelChecks, limits = ESTIMATE_LIMITS): number {
  if (useEstimate(c, limits)) return 1;
  const { halfway } = limits;
  return c.spread >= halfway.minSpread && c.elongation >= halfway.minElongation && c.compactness >= halfway.minCompactness ? halfway.weight : 0;
}
