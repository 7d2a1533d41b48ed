/**
 * SSIM of Wang, Bovik, Sheikh & Simoncelli (2004), the reference definition:
 * 11x11 Gaussian window (sigma 1.5, normalised), K1 = 0.01, K2 = 0.03, data range 255
 * (inputs in [0, 1] are scaled by 255), population (1/N-weighted) statistics, and the
 * map averaged over the 'valid' region only (no padding: the window never leaves the image).
 * This equals skimage's `structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255)` and the original MATLAB ssim_index.
 * Colour images: SSIM is computed per channel and the channel values are averaged
 * (the common CBSD68 convention); no downsampling is applied.
 */
import type { PlanarImage } from '../image.ts';

const WIN_RADIUS = 5;
const WIN_SIGMA = 1.5;

function gaussianWindow1d(): Float64Array {
  const w = new Float64Array(2 * WIN_RADIUS + 1);
  let s = 0;
  for (let k = -WIN_RADIUS; k <= WIN_RADIUS; k++) {
    w[k + WIN_RADIUS] = Math.exp(-(k * k) / (2 * WIN_SIGMA * WIN_SIGMA));
    s += w[k + WIN_RADIUS];
  }
  for (let k = 0; k < w.length; k++) w[k] /= s;
  return w;
}

/** 'Valid' separable filtering of one plane: output (W-10) x (H-10). */
function filterValid(src: Float64Array, W: number, H: number, w: Float64Array): Float64Array {
  const K = w.length;
  const ow = W - K + 1, oh = H - K + 1;
  const tmp = new Float64Array(ow * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      const base = y * W + x;
      for (let k = 0; k < K; k++) acc += w[k] * src[base + k];
      tmp[y * ow + x] = acc;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += w[k] * tmp[(y + k) * ow + x];
      out[y * ow + x] = acc;
    }
  }
  return out;
}

/** SSIM of one channel (plane index `c`) of two same-size planar images. */
export function ssimChannel(a: PlanarImage, b: PlanarImage, c: number): number {
  const { width: W, height: H } = a;
  if (W < 11 || H < 11) throw new Error('SSIM needs images of at least 11x11 pixels');
  const n = W * H;
  const x = new Float64Array(n), y = new Float64Array(n);
  const xx = new Float64Array(n), yy = new Float64Array(n), xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = a.data[c * n + i] * 255, v = b.data[c * n + i] * 255;
    x[i] = u; y[i] = v; xx[i] = u * u; yy[i] = v * v; xy[i] = u * v;
  }
  const w = gaussianWindow1d();
  const mx = filterValid(x, W, H, w), my = filterValid(y, W, H, w);
  const sxx = filterValid(xx, W, H, w), syy = filterValid(yy, W, H, w), sxy = filterValid(xy, W, H, w);
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i], uy = my[i];
    const vx = sxx[i] - ux * ux, vy = syy[i] - uy * uy, cxy = sxy[i] - ux * uy;
    sum += ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
  }
  return sum / mx.length;
}

/** Mean SSIM, averaged over channels; inputs in [0, 1] units (scaled to 255 internally). */
export function ssim(a: PlanarImage, b: PlanarImage): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error('SSIM: shape mismatch');
  }
  let s = 0;
  for (let c = 0; c < a.channels; c++) s += ssimChannel(a, b, c);
  return s / a.channels;
}
