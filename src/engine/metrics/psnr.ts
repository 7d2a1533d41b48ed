/**
 * Pixel-fidelity metrics for the evaluation. PSNR and SSIM follow the usual
 * denoising-benchmark conventions so numbers are comparable with published tables.
 */
import { createPlanar, type PlanarImage } from '../image.ts';

export interface PsnrOptions {
  /** Peak signal value (1 for [0, 1] images, 255 for 8-bit scaled ones). */
  peak?: number;
  /** Pixels ignored on every side (some benchmarks shave borders). */
  crop?: number;
}

/**
 * Rounds and clips to the 8-bit grid k/255, exactly like the Python side's
 * `quantize8` (floor(x*255 + 0.5), clip 0..255): the eval scores what a user would save.
 */
export function quantize8(img: PlanarImage): PlanarImage {
  const out = createPlanar(img.width, img.height, img.channels);
  const s = img.data, o = out.data;
  for (let i = 0; i < s.length; i++) {
    const k = Math.floor(s[i] * 255 + 0.5);
    o[i] = (k < 0 ? 0 : k > 255 ? 255 : k) / 255;
  }
  return out;
}

function assertSameShape(a: PlanarImage, b: PlanarImage): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`Shape mismatch: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
}

/** Mean squared error over all channels (double accumulation), optionally cropped. */
export function mse(a: PlanarImage, b: PlanarImage, crop = 0): number {
  assertSameShape(a, b);
  const { width: W, height: H, channels: C } = a;
  if (W <= 2 * crop || H <= 2 * crop) throw new Error('Crop removes the whole image');
  let sum = 0;
  for (let c = 0; c < C; c++) {
    for (let y = crop; y < H - crop; y++) {
      let i = c * W * H + y * W + crop;
      for (let x = crop; x < W - crop; x++, i++) {
        const d = a.data[i] - b.data[i];
        sum += d * d;
      }
    }
  }
  return sum / (C * (W - 2 * crop) * (H - 2 * crop));
}

/** PSNR in dB over all channels jointly (one MSE, as in the CBSD68 protocol); Infinity if identical. */
export function psnr(a: PlanarImage, b: PlanarImage, opts: PsnrOptions = {}): number {
  const peak = opts.peak ?? 1;
  const e = mse(a, b, opts.crop ?? 0);
  return e === 0 ? Infinity : 10 * Math.log10((peak * peak) / e);
}
