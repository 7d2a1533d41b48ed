import { describe, expect, it } from 'vitest';
import { cropPlanar } from '../../src/engine/image.ts';
import { planarSink, planarSource, runTiled } from '../../src/engine/tiling.ts';
import { createPlanar } from '../../src/engine/image.ts';
import { syntheticPhoto } from '../../src/engine/degradations/synthetic.ts';
import { gaussianNoise } from '../../src/engine/degradations/degradations.ts';
import { nonLocalMeans, bilateral, NLM_RECEPTIVE_FIELD, BILATERAL_RECEPTIVE_FIELD } from '../../src/engine/classical/denoise.ts';
import { psnr } from '../../src/engine/metrics/psnr.ts';

const clean = syntheticPhoto(96, 80, 7, { texture: 0 });

describe('nonLocalMeans', () => {
  it('improves PSNR by more than 5 dB at sigma 25', () => {
    const noisy = gaussianNoise(clean, 25, 11);
    const out = nonLocalMeans(noisy, 25 / 255);
    const before = psnr(clean, noisy), after = psnr(clean, out);
    expect(after - before).toBeGreaterThan(5);
  });
  it('leaves a clean image alone: identical at sigma 0, nearly so at sigma 2/255', () => {
    expect(nonLocalMeans(clean, 0).data).toEqual(clean.data);
    expect(psnr(clean, nonLocalMeans(clean, 2 / 255))).toBeGreaterThan(40);
  });
  it('is tile-exact with overlap >= its receptive field', async () => {
    const img = gaussianNoise(syntheticPhoto(70, 60, 2), 20, 3);
    const opts = { searchRadius: 4, patchRadius: 1 };
    const R = NLM_RECEPTIVE_FIELD({ ...opts, sigma: 20 / 255 });
    expect(R).toBe(5);
    const whole = nonLocalMeans(img, 20 / 255, opts);
    const out = createPlanar(img.width, img.height, 3);
    await runTiled(planarSource(img), { tile: 32, overlap: R, sizeMultiple: 1, feather: 0 },
      (t) => nonLocalMeans(t, 20 / 255, opts), planarSink(out));
    // Inner pixels exact up to float summation order.
    const a = cropPlanar(whole, R, R, 70 - 2 * R, 60 - 2 * R), b = cropPlanar(out, R, R, 70 - 2 * R, 60 - 2 * R);
    let m = 0;
    for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
    expect(m).toBeLessThan(1e-5);
  });
});

describe('bilateral', () => {
  it('reduces noise and keeps a clean flat image unchanged', () => {
    const noisy = gaussianNoise(clean, 15, 5);
    expect(psnr(clean, bilateral(noisy, 1.5, 0.12)) - psnr(clean, noisy)).toBeGreaterThan(3);
    const flat = createPlanar(20, 20, 3);
    flat.data.fill(0.4);
    const out = bilateral(flat, 2, 0.1);
    for (const v of out.data) expect(v).toBeCloseTo(0.4, 6);
    expect(BILATERAL_RECEPTIVE_FIELD(2)).toBe(4);
  });
});
