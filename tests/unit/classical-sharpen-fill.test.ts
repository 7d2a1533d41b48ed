import { describe, expect, it } from 'vitest';
import { createPlanar, type PlanarImage } from '../../src/engine/image.ts';
import { unsharpMask, UNSHARP_RECEPTIVE_FIELD } from '../../src/engine/classical/sharpen.ts';
import { gaussianBlur } from '../../src/engine/classical/blur.ts';
import { inpaintTelea } from '../../src/engine/classical/telea.ts';

function edgeImage(): PlanarImage {
  const img = createPlanar(40, 20, 3);
  const n = 800;
  for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) {
    const v = x < 20 ? 0.3 : 0.7;
    for (let c = 0; c < 3; c++) img.data[c * n + y * 40 + x] = v;
  }
  return img;
}

/** Sum of squared horizontal differences of the first channel (gradient energy). */
function gradEnergy(img: PlanarImage): number {
  let s = 0;
  for (let y = 0; y < img.height; y++) for (let x = 1; x < img.width; x++) {
    const d = img.data[y * img.width + x] - img.data[y * img.width + x - 1];
    s += d * d;
  }
  return s;
}

describe('unsharpMask', () => {
  it('sharpens a blurred edge and leaves flat areas unchanged', () => {
    const blurred = gaussianBlur(edgeImage(), 1.5);
    const out = unsharpMask(blurred, { sigma: 1.5, amount: 1 });
    expect(gradEnergy(out)).toBeGreaterThan(gradEnergy(blurred) * 1.3);
    // Far from the edge the image is flat: untouched.
    for (let c = 0; c < 3; c++) for (let y = 0; y < 20; y++) {
      expect(out.data[c * 800 + y * 40 + 2]).toBe(blurred.data[c * 800 + y * 40 + 2]);
      expect(out.data[c * 800 + y * 40 + 37]).toBe(blurred.data[c * 800 + y * 40 + 37]);
    }
    expect(UNSHARP_RECEPTIVE_FIELD(1.5)).toBe(5);
    const rgb = unsharpMask(blurred, { sigma: 1.5, amount: 1, mode: 'rgb' });
    expect(gradEnergy(rgb)).toBeGreaterThan(gradEnergy(blurred) * 1.3);
  });
});

describe('inpaintTelea', () => {
  const W = 64, H = 48, n = W * H;
  const grad = createPlanar(W, H, 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    grad.data[y * W + x] = 0.2 + 0.6 * x / W;
    grad.data[n + y * W + x] = 0.1 + 0.5 * y / H;
    grad.data[2 * n + y * W + x] = 0.5 + 0.2 * (x + y) / (W + H);
  }
  it('fills a thin scratch on a smooth gradient within 3/255 and keeps other pixels bit-identical', () => {
    const mask = new Uint8Array(n);
    for (let y = 5; y < 43; y++) { // a slanted scratch, 2-3 px wide
      const x0 = Math.round(10 + y * 0.8);
      for (let x = x0; x < x0 + 3; x++) mask[y * W + x] = 1;
    }
    for (let x = 20; x < 60; x++) mask[30 * W + x] = mask[31 * W + x] = 1; // and a horizontal one
    const damaged = grad.data.slice();
    for (let i = 0; i < n; i++) if (mask[i]) for (let c = 0; c < 3; c++) damaged[c * n + i] = 1;
    const out = inpaintTelea({ ...grad, data: damaged }, mask, 5);
    let maxErr = 0;
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) {
      const k = c * n + i;
      if (mask[i]) maxErr = Math.max(maxErr, Math.abs(out.data[k] - grad.data[k]));
      else expect(out.data[k]).toBe(damaged[k]);
    }
    // Averaging without gradient extrapolation (see fill.ts) is off by a fraction of the ramp's step across the scratch.
    expect(maxErr).toBeLessThan(3 / 255);
  });
  it('handles an empty and a full mask', () => {
    expect(inpaintTelea(grad, new Uint8Array(n)).data).toEqual(grad.data);
    expect(inpaintTelea(grad, new Uint8Array(n).fill(1)).data).toEqual(grad.data);
  });
});
