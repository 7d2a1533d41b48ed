/**
 * Unsharp mask: out = v + amount * (v - gaussian(v)) where |v - gaussian(v)| exceeds a
 * threshold (so flat areas and fine noise are left alone). Luma mode adds the same
 * detail to all three channels, which sharpens without colour fringes.
 */
import { createPlanar, planarLuma, type PlanarImage } from '../image.ts';
import { blurPlane, gaussianRadius } from './blur.ts';

export interface UnsharpOptions {
  /** Gaussian sigma of the blur in px. Default 1.2. */
  sigma?: number;
  /** Detail gain. Default 0.8. */
  amount?: number;
  /** Detail magnitudes ([0,1] units) at or below this are not amplified. Default 2/255. */
  threshold?: number;
  /** Work on luma (default) or on each channel independently. */
  mode?: 'luma' | 'rgb';
}

/** Pixels of context the unsharp mask needs (blur kernel radius). */
export function UNSHARP_RECEPTIVE_FIELD(sigma = 1.2): number {
  return gaussianRadius(sigma);
}

/**
 * Soft threshold: detail d is reduced by the threshold rather than cut, so there is no
 * visible step where the mask switches on.
 */
function shrink(d: number, t: number): number {
  return d > t ? d - t : d < -t ? d + t : 0;
}

export function unsharpMask(img: PlanarImage, opts: UnsharpOptions = {}): PlanarImage {
  const sigma = opts.sigma ?? 1.2;
  const amount = opts.amount ?? 0.8;
  const t = opts.threshold ?? 2 / 255;
  const { width: W, height: H, channels: C } = img;
  const n = W * H;
  const out = createPlanar(W, H, C);
  if ((opts.mode ?? 'luma') === 'luma' && C === 3) {
    const luma = planarLuma(img).data;
    const blurred = blurPlane(luma, W, H, sigma);
    for (let i = 0; i < n; i++) {
      const add = amount * shrink(luma[i] - blurred[i], t);
      for (let c = 0; c < 3; c++) out.data[c * n + i] = img.data[c * n + i] + add;
    }
    return out;
  }
  for (let c = 0; c < C; c++) {
    const src = img.data.subarray(c * n, (c + 1) * n);
    const blurred = blurPlane(src, W, H, sigma);
    for (let i = 0; i < n; i++) out.data[c * n + i] = src[i] + amount * shrink(src[i] - blurred[i], t);
  }
  return out;
}
