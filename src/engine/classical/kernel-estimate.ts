/**
 * Blind estimate of a photo's blur kernel, after Cho & Lee, "Fast motion deblurring" (SIGGRAPH
 * Asia 2009), following training/heirloom_train/deconv.py's estimate_kernel: coarse to fine,
 * alternate (1) a sharpened guess of the latent photo (bilateral filter, then a shock filter),
 * keeping only its strongest edges in each of four orientations, (2) the kernel that best maps
 * those edges' gradients to the blurred photo's (least squares in the Fourier domain), (3) a new
 * latent photo by Wiener deconvolution.
 */
import SHARED from '../shared-constants.json';
import { deltaKernel, wienerOf, wienerSource, type BlurKernel } from './deconvolution.ts';
import { fft2, ifft2Real, nextPow2, type Spectrum } from './fft2.ts';
import { reflectIndex } from '../tiling.ts';

/** A one-channel float plane. */
export interface Plane {
  width: number;
  height: number;
  data: Float64Array;
}

export interface KernelEstimateOptions {
  /** Largest kernel side, px (odd). */
  kernelSize?: number;
  /** Latent-photo / kernel alternations per pyramid level. */
  iterations?: number;
  /** Gradient weight of the latent photo's deconvolution. */
  latentLambda?: number;
  /** Kernel regularisation, as a share of the edges' mean spectral power. */
  betaShare?: number;
  /** Share of the pixels kept as the edges the kernel is fitted to (`EDGE_SHARE`). */
  edgeShare?: number;
  /** Checked between pyramid levels; throwing here cancels. */
  shouldStop?: () => boolean;
}

const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/**
 * Area-averaging downscale (OpenCV's INTER_AREA for shrinking) of a float64 plane. Not
 * colour/model-correction.ts's resizeArea: that one works on float32 planar images.
 */
function resizeArea(p: Plane, width: number, height: number): Plane {
  const axis = (from: number, to: number) => {
    const scale = from / to, taps: { index: number; weight: number }[][] = [];
    for (let o = 0; o < to; o++) {
      const a = o * scale, b = Math.min(from, (o + 1) * scale), list = [];
      for (let i = Math.floor(a); i < b; i++) {
        const w = Math.min(b, i + 1) - Math.max(a, i);
        if (w > 1e-12) list.push({ index: i, weight: w / scale });
      }
      taps.push(list);
    }
    return taps;
  };
  const xs = axis(p.width, width), ys = axis(p.height, height);
  const rows = new Float64Array(width * p.height);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (const t of xs[x]) s += t.weight * p.data[y * p.width + t.index];
      rows[y * width + x] = s;
    }
  }
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (const t of ys[y]) for (let x = 0; x < width; x++) data[y * width + x] += t.weight * rows[t.index * width + x];
  return { width, height, data };
}

/** Bilinear resize with pixel centres aligned and borders replicated (OpenCV's INTER_LINEAR). */
function resizeLinear(p: Plane, width: number, height: number): Plane {
  const data = new Float64Array(width * height);
  const sx = p.width / width, sy = p.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5), y0 = Math.floor(fy), ay = fy - y0;
    const r0 = clampIndex(y0, p.height) * p.width, r1 = clampIndex(y0 + 1, p.height) * p.width;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5), x0 = Math.floor(fx), ax = fx - x0;
      const c0 = clampIndex(x0, p.width), c1 = clampIndex(x0 + 1, p.width);
      data[y * width + x] = (1 - ay) * ((1 - ax) * p.data[r0 + c0] + ax * p.data[r0 + c1]) + ay * ((1 - ax) * p.data[r1 + c0] + ax * p.data[r1 + c1]);
    }
  }
  return { width, height, data };
}

/**
 * Edge-preserving smoothing of a grey plane as the reference's OpenCV bilateralFilter (d = 5, a
 * disk of radius 2, mirrored borders); denoise.ts's bilateral skips outside neighbours instead.
 */
function bilateral(p: Plane, sigmaColor = 0.5, sigmaSpace = 2): Plane {
  const { width: w, height: h } = p, r = 2, src = p.data;
  const dxs: number[] = [], dys: number[] = [], ws: number[] = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) { dxs.push(dx); dys.push(dy); ws.push(Math.exp(-(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace))); }
  const taps = dxs.length, offsets = Int32Array.from(dxs, (dx, t) => dys[t] * w + dx), tapW = Float64Array.from(ws);
  const cc = -1 / (2 * sigmaColor * sigmaColor);
  const data = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const inner = y >= r && y < h - r;
    for (let x = 0; x < w; x++) {
      const i = y * w + x, v = src[i];
      let s = 0, sw = 0;
      if (inner && x >= r && x < w - r) {
        // away from the border: the same taps, in the same order, without mirroring
        for (let t = 0; t < taps; t++) {
          const q = src[i + offsets[t]];
          const wt = tapW[t] * Math.exp(cc * (q - v) * (q - v));
          s += wt * q; sw += wt;
        }
      } else {
        for (let t = 0; t < taps; t++) {
          const q = src[reflectIndex(y + dys[t], h) * w + reflectIndex(x + dxs[t], w)];
          const wt = tapW[t] * Math.exp(cc * (q - v) * (q - v));
          s += wt * q; sw += wt;
        }
      }
      data[i] = s / sw;
    }
  }
  return { width: w, height: h, data };
}

/** Osher-Rudin shock filter (periodic borders): steepens edges into steps, the sharp guess the kernel is fitted to. */
function shock(p: Plane, iterations = 3, dt = 0.5): Plane {
  const { width: w, height: h } = p;
  let I = p.data.slice(), next = new Float64Array(w * h);
  for (let it = 0; it < iterations; it++) {
    for (let y = 0; y < h; y++) {
      const u = ((y - 1 + h) % h) * w, c = y * w, d = ((y + 1) % h) * w;
      for (let x = 0; x < w; x++) {
        const l = x === 0 ? w - 1 : x - 1, r = x === w - 1 ? 0 : x + 1;
        const v = I[c + x];
        const Ix = (I[c + r] - I[c + l]) / 2, Iy = (I[d + x] - I[u + x]) / 2;
        const Ixx = I[c + r] - 2 * v + I[c + l], Iyy = I[d + x] - 2 * v + I[u + x];
        const Ixy = (I[d + r] - I[d + l] - I[u + r] + I[u + l]) / 4;
        const second = Ixx * Ix * Ix + 2 * Ixy * Ix * Iy + Iyy * Iy * Iy;
        next[c + x] = v - Math.sign(second) * Math.sqrt(Ix * Ix + Iy * Iy) * dt;
      }
    }
    [I, next] = [next, I];
  }
  return { width: w, height: h, data: I };
}

/** Forward differences, zero on the last column (x) / row (y). */
function gradients(p: Plane) {
  const { width: w, height: h } = p;
  const gx = new Float64Array(w * h), gy = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x < w - 1) gx[i] = p.data[i + 1] - p.data[i];
      if (y < h - 1) gy[i] = p.data[i + w] - p.data[i];
    }
  }
  return { gx, gy };
}

/**
 * Share of the plane's pixels kept as the strongest edges the kernel is fitted to, at every pyramid
 * level: deconv.py's EDGE_SHARE (how it was chosen: docs/models/deblur.md). The 4 per kernel pixel
 * before it kept so few on a large photo that a handful of dominant edges could pull the fit to a
 * spurious line.
 */
export const EDGE_SHARE: number = SHARED.kernelEdgeShare;

/**
 * Orientation bin of a gradient, its angle folded into [0, pi) in four 45 degree bins: comparisons
 * instead of atan2 (a third of the edge selection's time). Within a hair of a bin's border
 * (|gx| = |gy|, gx = 0, gy = 0, where rounding decides) the atan2 expression decides, so that every
 * bin is as it would be.
 */
export function orientationBin(gx: number, gy: number): number {
  const ax = Math.abs(gx), ay = Math.abs(gy), hair = 1e-12 * Math.max(ax, ay);
  if (ay <= hair || ax <= hair || Math.abs(ax - ay) <= hair) {
    const a = Math.atan2(gy, gx);
    return Math.min(Math.floor((((a % Math.PI) + Math.PI) % Math.PI) / (Math.PI / 4)), 3);
  }
  if (gy < 0) gx = -gx;
  return gx > 0 ? (ax > ay ? 0 : 1) : (ax < ay ? 2 : 3);
}

/**
 * Keeps the largest gradients, `share` of the pixels in all, a quarter in each of four
 * orientations, so that every direction of the kernel is constrained; zeroes the rest in place.
 * Ranked by squared magnitude, which orders them as the magnitude does.
 */
function keepStrongestEdges(gx: Float64Array, gy: Float64Array, share: number) {
  const n = gx.length, perBin = Math.floor(Math.floor(share * n) / 4) + 1;
  const bins = new Uint8Array(n), mag = new Float64Array(n), counts = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const b = orientationBin(gx[i], gy[i]);
    bins[i] = b;
    counts[b]++;
    mag[i] = gx[i] * gx[i] + gy[i] * gy[i];
  }
  const byBin = counts.map((c) => new Float64Array(c)), fill = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) byBin[bins[i]][fill[bins[i]]++] = mag[i];
  const thresholds = byBin.map((m) => (m.length ? nthSmallest(m, m.length - Math.min(perBin, m.length)) : Infinity));
  for (let i = 0; i < n; i++) {
    if (mag[i] < thresholds[bins[i]]) gx[i] = gy[i] = 0;
  }
}

/** The value a sort would put at index `k` (Hoare's quickselect, average linear time); reorders `a`. */
export function nthSmallest(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Shifts a kernel (bilinearly, zeros outside) so its centre of mass is its middle pixel. */
export function centreKernel(k: BlurKernel): BlurKernel {
  const s = k.size, c = (s - 1) / 2;
  let mx = 0, my = 0;
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) { mx += k.data[i * s + j] * j; my += k.data[i * s + j] * i; }
  const tx = c - mx, ty = c - my;
  const at = (i: number, j: number) => (i >= 0 && i < s && j >= 0 && j < s ? k.data[i * s + j] : 0);
  const data = new Float64Array(s * s);
  let sum = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const sy = i - ty, sx = j - tx, y0 = Math.floor(sy), x0 = Math.floor(sx), ay = sy - y0, ax = sx - x0;
      const v = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1)) + ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1));
      data[i * s + j] = Math.max(0, v);
      sum += data[i * s + j];
    }
  }
  for (let i = 0; i < data.length; i++) data[i] /= Math.max(sum, 1e-12);
  return { size: s, data };
}

/**
 * Non-negative, values under 1/20 of the peak dropped, only the heaviest 8-connected piece kept,
 * centred, summing to 1: least squares leaves faint noise around the kernel that would otherwise
 * grow through the pyramid.
 */
export function cleanKernel(raw: BlurKernel): BlurKernel {
  const s = raw.size, d = raw.data.map((v) => Math.max(v, 0));
  let peak = 0;
  for (const v of d) peak = Math.max(peak, v);
  if (peak <= 0) return deltaKernel(s);
  for (let i = 0; i < d.length; i++) if (d[i] < peak / 20) d[i] = 0;
  const label = new Int32Array(d.length).fill(-1);
  let best = -1, bestMass = -1;
  const pieces: number[][] = [];
  for (let start = 0; start < d.length; start++) {
    if (d[start] <= 0 || label[start] >= 0) continue;
    const id = pieces.length, stack = [start], members: number[] = [];
    label[start] = id;
    let mass = 0;
    while (stack.length) {
      const p = stack.pop()!, py = Math.floor(p / s), px = p % s;
      members.push(p);
      mass += d[p];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const y = py + dy, x = px + dx, q = y * s + x;
          if (y >= 0 && y < s && x >= 0 && x < s && d[q] > 0 && label[q] < 0) { label[q] = id; stack.push(q); }
        }
      }
    }
    pieces.push(members);
    if (mass > bestMass) { bestMass = mass; best = id; }
  }
  const data = new Float64Array(d.length);
  for (const p of pieces[best]) data[p] = d[p] / bestMass;
  return centreKernel({ size: s, data });
}

/**
 * argmin_k sum_d |k * d(P) - d(B)|^2 + beta |k|^2 in the Fourier domain, cut to size x size, where
 * d(P) are the kept edges' gradients and d(B) the blurred photo's (`blurred`, their spectra).
 */
function fitKernel(px: Float64Array, py: Float64Array, p: Plane, blurred: { x: Spectrum; y: Spectrum }, size: number, betaShare: number): BlurKernel {
  const W = blurred.x.width, H = blurred.x.height;
  const Fpx = fft2(padZeros(px, p.width, p.height, W, H), W, H).data, Fpy = fft2(padZeros(py, p.width, p.height, W, H), W, H).data;
  const Fbx = blurred.x.data, Fby = blurred.y.data;
  const power = new Float64Array(W * H);
  let total = 0;
  for (let f = 0; f < W * H; f++) {
    const i = 2 * f;
    power[f] = Fpx[i] ** 2 + Fpx[i + 1] ** 2 + Fpy[i] ** 2 + Fpy[i + 1] ** 2;
    total += power[f];
  }
  const beta = (betaShare * total) / (W * H) + 1e-9;
  const num = new Float64Array(2 * W * H);
  for (let f = 0; f < W * H; f++) {
    const i = 2 * f, d = power[f] + beta;
    // conj(Fp) * Fb, summed over x and y
    num[i] = (Fpx[i] * Fbx[i] + Fpx[i + 1] * Fbx[i + 1] + Fpy[i] * Fby[i] + Fpy[i + 1] * Fby[i + 1]) / d;
    num[i + 1] = (Fpx[i] * Fbx[i + 1] - Fpx[i + 1] * Fbx[i] + Fpy[i] * Fby[i + 1] - Fpy[i + 1] * Fby[i]) / d;
  }
  const h = size >> 1, data = new Float64Array(size * size);
  // only the rows the kernel's window wraps onto: -h .. h around row 0
  const r = ifft2Real({ width: W, height: H, data: num }, [{ from: 0, to: h + 1 }, { from: H - h, to: H }]);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) data[i * size + j] = r[((i - h + H) % H) * W + ((j - h + W) % W)];
  return cleanKernel({ size, data });
}

function padZeros(src: Float64Array, w: number, h: number, W: number, H: number): Float64Array {
  const out = new Float64Array(W * H);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * w, (y + 1) * w), y * W);
  return out;
}

/** The pyramid's kernel sides, fine to coarse: each about 1/sqrt(2) of the last, odd, down to 5 px. */
export function pyramidSizes(kernelSize: number): number[] {
  const sizes = [kernelSize];
  while (sizes[sizes.length - 1] > 5) sizes.push(Math.max(5, Math.round(sizes[sizes.length - 1] / Math.SQRT2) | 1));
  return sizes;
}

/** The blur kernel (kernelSize x kernelSize, sums to 1, centred) of a grey plane in [0, 1]. */
export function estimateKernel(grey: Plane, opts: KernelEstimateOptions = {}): BlurKernel {
  const ksize = opts.kernelSize ?? 25, iterations = opts.iterations ?? 6;
  const latentLambda = opts.latentLambda ?? 0.005, betaShare = opts.betaShare ?? 5e-4;
  const edgeShare = opts.edgeShare ?? EDGE_SHARE;
  let k: BlurKernel | null = null, latent: Plane | null = null;
  const sizes = pyramidSizes(ksize).reverse();
  for (const [level, s] of sizes.entries()) {
    if (opts.shouldStop?.()) throw new Error('cancelled');
    const f = s / ksize;
    const b = f < 1 ? resizeArea(grey, Math.max(1, Math.round(grey.width * f)), Math.max(1, Math.round(grey.height * f))) : grey;
    if (!k || !latent) {
      // a short horizontal line to start from: a delta would be a fixed point
      const data = new Float64Array(s * s), m = s >> 1;
      data[m * s + m - 1] = data[m * s + m] = data[m * s + m + 1] = 1 / 3;
      k = { size: s, data };
      latent = { ...b, data: b.data.slice() };
    } else {
      k = cleanKernel({ size: s, data: resizeLinear({ width: k.size, height: k.size, data: k.data }, s, s).data });
      latent = resizeLinear(latent, b.width, b.height);
    }
    const W = nextPow2(b.width), H = nextPow2(b.height);
    const g = gradients(b);
    const blurred = { x: fft2(padZeros(g.gx, b.width, b.height, W, H), W, H), y: fft2(padZeros(g.gy, b.width, b.height, W, H), W, H) };
    const source = wienerSource(b.data, b.width, b.height);
    for (let it = 0; it < iterations; it++) {
      const guess = shock(bilateral(latent));
      const { gx, gy } = gradients(guess);
      keepStrongestEdges(gx, gy, edgeShare);
      k = fitKernel(gx, gy, guess, blurred, s, betaShare);
      // the finest level's last latent photo would go unused
      if (level === sizes.length - 1 && it === iterations - 1) break;
      latent = { width: b.width, height: b.height, data: wienerOf(source, k, latentLambda) };
    }
  }
  return k!;
}
