/**
 * Noise level estimation by patch PCA (Chen, Zhu & Heng, "An efficient statistical
 * method for image noise level estimation", ICCV 2015). Patches of a natural image
 * occupy a low-dimensional subspace, so the smallest eigenvalues of the patch
 * covariance belong to the noise alone. Among eigenvalues sorted ascending, the noise
 * ones are found as the largest prefix whose mean equals its median (equal counts
 * above and below the mean); sigma^2 is that mean. Unlike Laplacian-based estimators
 * it is not fooled by texture or edges, and it works on a bounded sample of patches.
 */

/** Eigenvalues of a symmetric n x n matrix (row-major, destroyed) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-22 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p], aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = a[i * n + i];
  return ev;
}

/** Chen et al.'s selection: sigma^2 = mean of the largest ascending prefix whose mean is its median. */
export function noiseVarianceFromEigenvalues(eig: Float64Array): number {
  const ev = Array.from(eig).sort((x, y) => x - y).map((v) => Math.max(0, v));
  for (let m = ev.length; m >= 1; m--) {
    let s = 0;
    for (let i = 0; i < m; i++) s += ev[i];
    const mean = s / m;
    let above = 0, below = 0;
    for (let i = 0; i < m; i++) {
      if (ev[i] > mean) above++;
      else if (ev[i] < mean) below++;
    }
    if (above === below) return mean;
  }
  return ev[0];
}

export interface PatchSampler {
  /** Plane values (any scale), row-major. */
  plane: ArrayLike<number>;
  width: number;
  height: number;
  /** Region to sample. */
  x0: number; y0: number; w: number; h: number;
}

/**
 * Accumulates the covariance of p x p patches from one or more planes (all assumed to
 * carry the same noise level) and returns the estimated noise standard deviation in the
 * planes' units. `maxPatches` bounds the work (stride chosen to fit). Patches touching
 * `satLow`/`satHigh` (clipped values) are skipped: clipped areas carry no noise and would
 * dilute the estimate.
 */
export function estimateNoisePCA(
  samplers: PatchSampler[],
  opts: { patch?: number; maxPatches?: number; satLow?: number; satHigh?: number } = {},
): number {
  const p = opts.patch ?? 7;
  const r = p * p;
  const maxPatches = opts.maxPatches ?? 60000;
  const satLow = opts.satLow ?? -Infinity, satHigh = opts.satHigh ?? Infinity;
  let area = 0;
  for (const s of samplers) area += Math.max(0, s.w - p + 1) * Math.max(0, s.h - p + 1);
  if (area === 0) return 0;
  const stride = Math.max(1, Math.ceil(Math.sqrt(area / maxPatches)));
  const sum = new Float64Array(r);
  const cross = new Float64Array(r * r);
  const v = new Float64Array(r);
  let count = 0;
  for (const s of samplers) {
    for (let y = s.y0; y + p <= s.y0 + s.h; y += stride) {
      for (let x = s.x0; x + p <= s.x0 + s.w; x += stride) {
        let k = 0, sat = false;
        for (let dy = 0; dy < p; dy++) {
          const row = (y + dy) * s.width + x;
          for (let dx = 0; dx < p; dx++) {
            const val = s.plane[row + dx];
            if (val <= satLow || val >= satHigh) sat = true;
            v[k++] = val;
          }
        }
        if (sat) continue;
        count++;
        for (let i = 0; i < r; i++) {
          const vi = v[i];
          sum[i] += vi;
          const row = i * r;
          for (let j = i; j < r; j++) cross[row + j] += vi * v[j];
        }
      }
    }
  }
  if (count < 2 * r) return 0;
  const cov = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      const c = cross[i * r + j] / count - (sum[i] / count) * (sum[j] / count);
      cov[i * r + j] = c;
      cov[j * r + i] = c;
    }
  }
  return Math.sqrt(noiseVarianceFromEigenvalues(symmetricEigenvalues(cov, r)));
}
