import { inpaintTelea } from '../../engine/classical/fill.ts';
import { cloneRGBA, rgbaToPlanar, type RGBAImage } from '../../engine/image.ts';
import { maskRegions } from '../../engine/regions.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { meta } from './meta.ts';

/** Context around each region that the fill may read (never write). */
const MARGIN = 24;
const RADIUS = 5;

/**
 * Fills each connected region of the mask on a crop around it, so large photos
 * stay fast and no pixel outside the mask can change.
 */
export const stage: StageImpl = {
  meta,
  async run(input, _options, ctx, mask) {
    const image = cloneRGBA(input);
    if (!mask || !mask.some(Boolean)) return { image, method: 'classical', mask };
    if (mask.length !== input.width * input.height) throw new Error('Fill mask does not match the photo size.');
    const regions = maskRegions(mask, input.width, input.height);
    for (const [i, r] of regions.entries()) {
      if (ctx.shouldStop()) throw new DOMException('Restoration cancelled', 'AbortError');
      const x0 = Math.max(0, r.x0 - MARGIN), y0 = Math.max(0, r.y0 - MARGIN);
      const x1 = Math.min(input.width, r.x1 + MARGIN), y1 = Math.min(input.height, r.y1 + MARGIN);
      const w = x1 - x0, h = y1 - y0;
      const crop = rgbaToPlanar(cropRGBA(image, x0, y0, w, h));
      const cropMask = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) cropMask[y * w + x] = mask[(y0 + y) * input.width + x0 + x] ? 1 : 0;
      const filled = inpaintTelea(crop, cropMask, RADIUS);
      const plane = w * h;
      for (let i2 = 0; i2 < plane; i2++) {
        if (!cropMask[i2]) continue;
        const p = ((y0 + Math.floor(i2 / w)) * input.width + x0 + (i2 % w)) * 4;
        image.data[p] = filled.data[i2] * 255;
        image.data[p + 1] = filled.data[plane + i2] * 255;
        image.data[p + 2] = filled.data[2 * plane + i2] * 255;
      }
      ctx.progress(i + 1, regions.length);
    }
    return { image, method: 'classical', mask };
  },
};

function cropRGBA(img: RGBAImage, x: number, y: number, w: number, h: number): RGBAImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) data.set(img.data.subarray(((y + r) * img.width + x) * 4, ((y + r) * img.width + x + w) * 4), r * w * 4);
  return { width: w, height: h, data };
}
