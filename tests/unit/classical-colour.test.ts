import { describe, expect, it } from 'vitest';
import { createPlanar, type PlanarImage } from '../../src/engine/image.ts';
import { syntheticPhoto } from '../../src/engine/degradations/synthetic.ts';
import { applyColourCorrection, computeColourCorrection, correctionMagnitude, scaleCorrection } from '../../src/engine/classical/colour.ts';
import { meanDeltaE00 } from '../../src/engine/metrics/deltae.ts';
import { psnr } from '../../src/engine/metrics/psnr.ts';

/** Full-range, neutral-ish photo: the synthetic photo stretched to 0..1 and balanced. */
function goodPhoto(): PlanarImage {
  const img = syntheticPhoto(64, 48, 4);
  const n = 64 * 48;
  for (let c = 0; c < 3; c++) {
    let lo = 1, hi = 0;
    for (let i = 0; i < n; i++) { lo = Math.min(lo, img.data[c * n + i]); hi = Math.max(hi, img.data[c * n + i]); }
    for (let i = 0; i < n; i++) img.data[c * n + i] = (img.data[c * n + i] - lo) / (hi - lo);
  }
  return img;
}

function fadeAndCast(img: PlanarImage): PlanarImage {
  const n = img.width * img.height;
  const out = createPlanar(img.width, img.height, 3);
  const lift = [0.22, 0.16, 0.08], gain = [0.7, 0.66, 0.55]; // faded, yellow-red cast
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) out.data[c * n + i] = lift[c] + gain[c] * img.data[c * n + i];
  return out;
}

describe('colour correction', () => {
  it('leaves a well-exposed photo nearly unchanged', () => {
    const img = goodPhoto();
    const corr = computeColourCorrection(img);
    expect(correctionMagnitude(corr)).toBeLessThan(0.06);
    expect(psnr(img, applyColourCorrection(img, corr))).toBeGreaterThan(30);
  });
  it('keeps a monochrome photo monochrome while stretching it', () => {
    const src = syntheticPhoto(64, 48, 5);
    const n = 64 * 48;
    const mono = createPlanar(64, 48, 3);
    for (let i = 0; i < n; i++) {
      const l = 0.3 + 0.4 * (0.299 * src.data[i] + 0.587 * src.data[n + i] + 0.114 * src.data[2 * n + i]);
      mono.data[i] = mono.data[n + i] = mono.data[2 * n + i] = l;
    }
    const corr = computeColourCorrection(mono);
    expect(corr.monochrome).toBe(true);
    const out = applyColourCorrection(mono, corr);
    for (let i = 0; i < n; i++) {
      expect(out.data[n + i]).toBe(out.data[i]);
      expect(out.data[2 * n + i]).toBe(out.data[i]);
    }
    expect(corr.white[0] - corr.black[0]).toBeLessThan(0.6); // it was stretched
  });
  it('brings a faded, colour-cast photo closer to the original', () => {
    const orig = goodPhoto();
    const bad = fadeAndCast(orig);
    const corr = computeColourCorrection(bad);
    const fixed = applyColourCorrection(bad, corr);
    const before = meanDeltaE00(orig, bad), after = meanDeltaE00(orig, fixed);
    expect(after).toBeLessThan(before * 0.5);
    expect(psnr(orig, fixed)).toBeGreaterThan(psnr(orig, bad) + 6);
  });
  it('scales a correction towards identity', () => {
    const corr = computeColourCorrection(fadeAndCast(goodPhoto()));
    expect(correctionMagnitude(scaleCorrection(corr, 0))).toBeLessThan(1e-9);
    expect(correctionMagnitude(scaleCorrection(corr, 0.5))).toBeLessThan(correctionMagnitude(corr));
  });
});
