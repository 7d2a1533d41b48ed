/** Separable Gaussian blur shared by the classical filters and the analysis. */
import { createPlanar, type PlanarImage } from '../image.ts';
import { reflectIndex } from '../tiling.ts';

/** Radius of the Gaussian kernel used for `sigma` (3 sigma, at least 1). */
export function gaussianRadius(sigma: number): number {
  return Math.max(1, Math.ceil(3 * sigma));
}

export function gaussianKernel(sigma: number): Float32Array {
  const r = gaussianRadius(sigma);
  const w = new Float32Array(2 * r + 1);
  let s = 0;
  for (let k = -r; k <= r; k++) s += w[k + r] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < w.length; k++) w[k] /= s;
  return w;
}

/** Blurs one W x H plane (reflect-101 borders, i.e. mirror without repeating the edge pixel). */
export function blurPlane(src: Float32Array, W: number, H: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return src.slice();
  const w = gaussianKernel(sigma);
  const r = (w.length - 1) / 2;
  const K = w.length;
  const xi = new Int32Array(W + 2 * r);
  for (let i = 0; i < xi.length; i++) xi[i] = reflectIndex(i - r, W);
  const tmp = new Float32Array(W * H);
  const row = new Float32Array(W + 2 * r);
  for (let y = 0; y < H; y++) {
    const base = y * W;
    for (let i = 0; i < row.length; i++) row[i] = src[base + xi[i]];
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += w[k] * row[x + k];
      tmp[base + x] = acc;
    }
  }
  const out = new Float32Array(W * H);
  const acc = new Float64Array(W);
  for (let y = 0; y < H; y++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const sRow = reflectIndex(y + k - r, H) * W;
      const wk = w[k];
      for (let x = 0; x < W; x++) acc[x] += wk * tmp[sRow + x];
    }
    out.set(acc, y * W);
  }
  return out;
}

/** Gaussian blur of every channel of a planar image. */
export function gaussianBlur(img: PlanarImage, sigma: number): PlanarImage {
  const out = createPlanar(img.width, img.height, img.channels);
  const n = img.width * img.height;
  for (let c = 0; c < img.channels; c++) {
    out.data.set(blurPlane(img.data.subarray(c * n, (c + 1) * n), img.width, img.height, sigma), c * n);
  }
  return out;
}
