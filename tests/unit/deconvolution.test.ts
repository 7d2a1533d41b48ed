import SHARED from '../../src/engine/shared-constants.json';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fft2, ifft2Real, nextPow2 } from '../../src/engine/classical/fft2.ts';
import {
  deltaKernel, ESTIMATE_LIMITS, estimateWeight, kernelChecks, kernelCompactness, kernelElongation, kernelSpread, tvDeconvolvePlanes, useEstimate, WIENER_LAMBDA, wienerPlanes, type BlurKernel,
} from '../../src/engine/classical/deconvolution.ts';
import { cleanKernel, EDGE_SHARE, estimateKernel, nthSmallest, orientationBin, pyramidSizes } from '../../src/engine/classical/kernel-estimate.ts';
import { DECONVOLUTION_TILES, deconvolveTile, findCameraShake, kernelLength, SHAKE_CROP, shakeSearchCrop } from '../../src/engine/classical/camera-shake.ts';
import { createPlanar, planarLuma, planarToRGBA, rgbaToPlanar, type PlanarImage, type RGBAImage } from '../../src/engine/image.ts';
import { gaussianBlur } from '../../src/engine/classical/blur.ts';
import { gaussianNoise } from '../../src/engine/degradations/degradations.ts';
import { CounterRNG } from '../../src/engine/degradations/rng.ts';
import { psnr } from '../../src/engine/metrics/index.ts';
import { runTiledRGBA } from '../../src/engine/pipeline/tiled-model.ts';
import { standaloneContext } from '../../src/engine/pipeline/stage.ts';
import { stage as sharpen } from '../../src/stages/deblur/worker.ts';
import { haloRms } from '../../src/engine/metrics/index.ts';
import { analyzePhoto } from '../../src/engine/analysis/index.ts';
import type { OffThreadWork } from '../../src/engine/classical/off-thread.ts';
import { SHAKE_SEARCH_MIN_BLUR, withCameraShakeVerdict } from '../../src/stages/deblur/analysis.ts';
import { stageRegistry } from '../../src/stages/index.ts';

/** Flat patches on grey (lone step edges: what a kernel estimate fits to), as in training/smoke.sh. */
function patches(size: number, seed: number): PlanarImage {
  const rng = new CounterRNG(seed);
  const img = createPlanar(size, size, 3), n = size * size;
  img.data.fill(0.5);
  for (let p = 0; p < (40 * size * size) / (192 * 192); p++) {
    const [y0, x0, h, w] = [rng.uniform1() * (size - 22), rng.uniform1() * (size - 22), 8 + rng.uniform1() * 52, 8 + rng.uniform1() * 52].map(Math.floor);
    const colour = [rng.uniform1(), rng.uniform1(), rng.uniform1()];
    for (let y = y0; y < Math.min(size, y0 + h); y++) for (let x = x0; x < Math.min(size, x0 + w); x++) for (let c = 0; c < 3; c++) img.data[c * n + y * size + x] = colour[c];
  }
  return gaussianBlur(img, 0.6);
}

/** A 9 px camera shake: a bent stroke, heavier where the hand paused. */
function shakeKernel(): BlurKernel {
  const size = 11, data = new Float64Array(size * size);
  const path = [[5, 1], [5, 2], [4, 3], [4, 4], [3, 5], [3, 6], [3, 7], [4, 8], [5, 9]];
  path.forEach(([y, x], i) => (data[y * size + x] = i === 0 || i === 8 ? 2 : 1));
  const sum = data.reduce((a, b) => a + b, 0);
  return cleanKernel({ size, data: data.map((v) => v / sum) });
}

/** Convolution with mirrored borders (the blur a photo carries, not a circular one). */
function convolve(img: PlanarImage, k: BlurKernel): PlanarImage {
  const { width: w, height: h } = img, n = w * h, r = k.size >> 1, out = createPlanar(w, h, img.channels);
  const m = (i: number, len: number) => (i < 0 ? -i - 1 : i >= len ? 2 * len - 1 - i : i);
  for (let c = 0; c < img.channels; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = 0; i < k.size; i++) for (let j = 0; j < k.size; j++) s += k.data[i * k.size + j] * img.data[c * n + m(y - i + r, h) * w + m(x - j + r, w)];
    out.data[c * n + y * w + x] = s;
  }
  return out;
}

const quantise = (img: PlanarImage) => rgbaToPlanar(planarToRGBA(img));
const greyOf = (img: PlanarImage) => {
  const l = planarLuma(img);
  return { width: l.width, height: l.height, data: Float64Array.from(l.data) };
};
function deconvolved(img: PlanarImage, k: BlurKernel): PlanarImage {
  return quantise(deconvolveTile(img, k));
}

describe('fft2', () => {
  it('matches a direct DFT at every frequency and inverts exactly', () => {
    // the transforms compute half the columns and mirror the rest: every bin is checked
    for (const [W, H] of [[8, 4], [2, 8], [16, 2], [4, 4]]) {
      const x = Float64Array.from({ length: W * H }, (_, i) => Math.sin(i * 1.3) + i / 50);
      const spec = fft2(x, W, H);
      for (let v = 0; v < H; v++) for (let u = 0; u < W; u++) {
        let re = 0, im = 0;
        for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
          const a = -2 * Math.PI * ((u * xx) / W + (v * y) / H);
          re += x[y * W + xx] * Math.cos(a); im += x[y * W + xx] * Math.sin(a);
        }
        expect(spec.data[2 * (v * W + u)]).toBeCloseTo(re, 10);
        expect(spec.data[2 * (v * W + u) + 1]).toBeCloseTo(im, 10);
      }
      const back = ifft2Real(spec);
      for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 12);
    }
    expect(nextPow2(513)).toBe(1024);
    expect(() => fft2(new Float64Array(12), 6, 2)).toThrow(/powers of two/);
  });

  it('inverts only the rows asked for, each as the whole inverse has it', () => {
    const W = 16, H = 16, x = Float64Array.from({ length: W * H }, (_, i) => Math.cos(i * 0.7) + (i % 5) / 9);
    const spec = fft2(x, W, H), whole = ifft2Real(spec);
    const part = ifft2Real(spec, [{ from: 0, to: 3 }, { from: 13, to: 16 }, { from: 7, to: 8 }]);
    for (let y = 0; y < H; y++) {
      const wanted = y < 3 || y >= 13 || y === 7;
      for (let i = 0; i < W; i++) if (wanted) expect(part[y * W + i]).toBe(whole[y * W + i]);
      // rows are inverted in pairs (0-1, 2-3, ...): 3, 6 and 12 come along, no other
      if (![0, 1, 2, 3, 6, 7, 12, 13, 14, 15].includes(y)) for (let i = 0; i < W; i++) expect(part[y * W + i]).toBe(0);
    }
  });
});

describe('shakeSearchCrop', () => {
  it('cuts at most 768 x 512 from the centre, its long side along the photo\'s', () => {
    const photo = (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) });
    const size = (w: number, h: number) => { const c = shakeSearchCrop(photo(w, h))!; return [c.width, c.height]; };
    expect(size(2000, 1500)).toEqual([768, 512]);
    expect(size(1500, 2000)).toEqual([512, 768]);
    expect(size(1000, 1000)).toEqual([768, 512]);
    expect(size(768, 512)).toEqual([768, 512]);
    expect(size(552, 695)).toEqual([512, 695]);
    expect(size(300, 200)).toEqual([300, 200]);
    expect(shakeSearchCrop(photo(500, 40))).toBeNull();
  });
});

describe('orientationBin', () => {
  it('puts every gradient in the bin its folded atan2 angle gives', () => {
    const byAngle = (gx: number, gy: number) => {
      const a = Math.atan2(gy, gx);
      return Math.min(Math.floor((((a % Math.PI) + Math.PI) % Math.PI) / (Math.PI / 4)), 3);
    };
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
    const values = [0, -0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, 2];
    const cases: [number, number][] = [];
    for (const a of values) for (const b of values) cases.push([a, b]);
    for (let i = 0; i < 20000; i++) cases.push([rand(), rand()], [Math.round(rand() * 8) / 8, Math.round(rand() * 8) / 8]);
    for (const [gx, gy] of cases) expect(orientationBin(gx, gy), `${gx}, ${gy}`).toBe(byAngle(gx, gy));
  });
});

describe('nthSmallest', () => {
  it('gives what a sort would put at each index, ties and zeros included', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    for (const n of [1, 2, 5, 64, 1000]) {
      const a = Float64Array.from({ length: n }, () => (rand() < 0.3 ? 0 : Math.round(rand() * 20) / 4));
      const sorted = a.slice().sort();
      for (const k of [0, n >> 1, n - 1, Math.floor(n * 0.9)]) expect(nthSmallest(a.slice(), k)).toBe(sorted[k]);
    }
  });
});

describe('kernel shape measures', () => {
  it('tell a disk from a stroke', () => {
    const disk = { size: 9, data: new Float64Array(81) };
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) if ((i - 4) ** 2 + (j - 4) ** 2 <= 16) disk.data[i * 9 + j] = 1;
    const sum = disk.data.reduce((a, b) => a + b, 0);
    disk.data.forEach((v, i) => (disk.data[i] = v / sum));
    expect(kernelElongation(disk)).toBeCloseTo(1, 6);
    expect(kernelSpread(disk)).toBeGreaterThan(2.6);
    expect(kernelSpread(disk)).toBeLessThan(3.1);
    const line = { size: 9, data: new Float64Array(81) };
    for (let j = 0; j < 9; j++) line.data[4 * 9 + j] = 1 / 9;
    expect(kernelElongation(line)).toBeGreaterThan(100);
    expect(kernelCompactness(disk)).toBeGreaterThan(1.6); // a filled blob: defocus
    expect(kernelCompactness(disk)).toBeLessThan(2.4);
    expect(kernelCompactness(line)).toBeCloseTo(12 / (Math.PI * 9), 1); // a thin trajectory: shake
    expect(kernelLength(line)).toBe(9);
    expect(kernelSpread(deltaKernel(5))).toBe(0);
  });

  it('cleanKernel keeps the heaviest piece, centred, summing to one', () => {
    const k = { size: 9, data: new Float64Array(81) };
    k.data[1 * 9 + 1] = 0.2; // a stray speck
    for (let j = 3; j < 8; j++) k.data[6 * 9 + j] = 1; // the stroke, off-centre
    k.data[0] = -0.5;
    const c = cleanKernel(k);
    expect(c.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(Math.min(...c.data)).toBeGreaterThanOrEqual(0);
    expect(c.data[1 * 9 + 1]).toBe(0);
    let my = 0, mx = 0;
    c.data.forEach((v, i) => { my += v * Math.floor(i / 9); mx += v * (i % 9); });
    expect(my).toBeCloseTo(4, 1);
    expect(mx).toBeCloseTo(4, 1);
    expect(pyramidSizes(25)).toEqual([25, 19, 13, 9, 7, 5]);
  });
});

describe('Wiener deconvolution and the blind kernel estimate', () => {
  const sharp = patches(192, 3);
  const kernel = shakeKernel();
  const shaken = quantise(gaussianNoise(convolve(sharp, kernel), 2, 11));
  const noisy = quantise(gaussianNoise(sharp, 2, 12));
  const before = psnr(shaken, sharp);

  it('gives the photo back for a delta kernel and deblurs by the true kernel', () => {
    const n = 192 * 192;
    const planes = [0, 1, 2].map((c) => shaken.data.subarray(c * n, (c + 1) * n));
    const same = wienerPlanes(planes, 192, 192, deltaKernel(3), 1e-9);
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i += 97) expect(same[c][i]).toBeCloseTo(planes[c][i], 6);
    expect(psnr(deconvolved(shaken, kernel), sharp)).toBeGreaterThan(before + 3);
  });

  it('the total-variation prior restores as well as Wiener and rings less', () => {
    const n = 192 * 192;
    const planes = [0, 1, 2].map((c) => shaken.data.subarray(c * n, (c + 1) * n));
    const asImage = (ps: Float64Array[]) => {
      const img = createPlanar(192, 192, 3);
      ps.forEach((p, c) => img.data.set(p.map((v) => Math.min(1, Math.max(0, v))), c * n));
      return quantise(img);
    };
    const wiener = asImage(wienerPlanes(planes, 192, 192, kernel, WIENER_LAMBDA));
    const tv = asImage(tvDeconvolvePlanes(planes, 192, 192, kernel));
    const noRounds = asImage(tvDeconvolvePlanes(planes, 192, 192, kernel, undefined, undefined, 0));
    for (let i = 0; i < 3 * n; i += 101) expect(noRounds.data[i]).toBe(wiener.data[i]); // its starting point
    expect(psnr(tv, sharp)).toBeGreaterThan(psnr(wiener, sharp));
    expect(haloRms(tv, sharp)).toBeLessThan(0.75 * haloRms(wiener, sharp));
  });

  it('estimates a 9 px shake well enough to deblur, and the gate takes it but not a sharp photo', () => {
    const est = estimateKernel(greyOf(shaken));
    expect(est.size).toBe(25);
    expect(est.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(Math.abs(kernelSpread(est) - kernelSpread(kernel))).toBeLessThan(0.35 * kernelSpread(kernel));
    const after = psnr(deconvolved(shaken, est), sharp);
    expect(after).toBeGreaterThan(before + 1.5);
    const g = greyOf(shaken), s = greyOf(noisy);
    expect(useEstimate(kernelChecks(g.data, g.width, g.height, est))).toBe(true);
    expect(useEstimate(kernelChecks(s.data, s.width, s.height, estimateKernel(s)))).toBe(false);
  });

  it('gates a short shake by its shape: elongated passes, round (defocus) and tiny (sharp photo) do not', () => {
    // Checks of the kinds the calibration saw (training/tools/calibrate_shake_gate.py): a short shake's
    // estimate has too few spectral zeros to confirm it, so its zeros ratio is Infinity.
    const checks = (spread: number, elongation: number, compactness: number, zerosRatio = Infinity) => ({ spread, elongation, compactness, zerosRatio });
    expect(useEstimate(checks(1.9, 2.0, 1.5))).toBe(true); // 5 px shake
    expect(useEstimate(checks(1.6, 1.05, 2.2))).toBe(false); // defocus radius 2: round
    expect(useEstimate(checks(1.0, 1.6, 1.4))).toBe(false); // a sharp photo's spot
    expect(useEstimate(checks(2.1, 3.3, 0.57))).toBe(false); // a sharp photo's spurious streak
    expect(useEstimate(checks(3.5, 2.5, 0.8, 1.5))).toBe(true); // 9 px shake, confirmed by the spectrum
    expect(useEstimate(checks(3.5, 2.5, 0.8))).toBe(false); // ... unconfirmed
    expect(useEstimate(checks(3.0, 1.2, 2.0, 1.5))).toBe(false); // large and filled: defocus 4
  });

  it('mixes deconvolution in where the kernel may be shake: all of it when trusted, none for a round or tiny spot', () => {
    const checks = (spread: number, elongation: number, compactness: number, zerosRatio = Infinity) => ({ spread, elongation, compactness, zerosRatio });
    const { halfway } = ESTIMATE_LIMITS;
    expect(halfway.weight).toBeGreaterThan(0);
    expect(halfway.weight).toBeLessThan(1);
    expect(estimateWeight(checks(1.9, 2.0, 1.5))).toBe(1); // trusted 5 px shake
    expect(estimateWeight(checks(halfway.minSpread + 0.1, halfway.minElongation + 0.02, 1.8))).toBe(halfway.weight); // filled, slightly elongated
    expect(estimateWeight(checks(halfway.minSpread + 0.1, 1.05, 2.2))).toBe(0); // defocus: a round disk
    expect(estimateWeight(checks(1.0, 1.6, 1.6))).toBe(0); // a sharp photo's spot
    expect(estimateWeight(checks(2.1, 3.3, 0.57))).toBe(0); // a sharp photo's spurious streak (unconfirmed, thin)
  });

  it('deconvolves tile by tile as it does in one piece', async () => {
    const big = quantise(gaussianNoise(convolve(patches(400, 5), kernel), 2, 13));
    const whole = deconvolveTile(big, kernel);
    const rgba = planarToRGBA(big);
    const spec = { ...DECONVOLUTION_TILES, tile: 384 }; // the same overlap, several tiles on a small photo
    const tiled = rgbaToPlanar(await runTiledRGBA(rgba, spec, (t) => deconvolveTile(t, kernel), standaloneContext(null)));
    let worst = 0, inner = 0, se = 0;
    for (let i = 0; i < whole.data.length; i++) {
      const d = Math.abs(tiled.data[i] - whole.data[i]), x = i % 400, y = Math.floor(i / 400) % 400;
      worst = Math.max(worst, d);
      se += d * d;
      if (x >= 32 && x < 368 && y >= 32 && y < 368) inner = Math.max(inner, d);
    }
    expect(inner).toBeLessThanOrEqual(1.5 / 255);
    expect(worst).toBeLessThanOrEqual(4 / 255);
    expect(Math.sqrt(se / whole.data.length)).toBeLessThan(0.5 / 255);
  });

  it('the sharpen stage deconvolves trusted shake (saying so) and leaves other photos to the unsharp mask', async () => {
    const shakenRGBA = planarToRGBA(shaken);
    expect(findCameraShake(shakenRGBA)?.deconvolve).toBe(true);
    const out = await sharpen.run(shakenRGBA, { strength: 1 }, standaloneContext(null));
    expect(out.detail).toMatch(/camera shake/);
    expect(psnr(rgbaToPlanar(out.image), sharp)).toBeGreaterThan(before + 1.5);
    const plain = await sharpen.run(planarToRGBA(noisy), { strength: 1 }, standaloneContext(null));
    expect(plain.detail).toBeUndefined();
    expect(plain.method).toBe('classical');
  });

  it('the analysis proposes the sharpen stage for trusted shake and names it', () => {
    const shakenRGBA = planarToRGBA(shaken), noisyRGBA = planarToRGBA(noisy);
    const judged = analyzePhoto(shakenRGBA, stageRegistry.all());
    expect(judged.defects.find((d) => d.defect === 'blur')!.verdict).not.toBe('none');
    const report = withCameraShakeVerdict(judged, () => findCameraShake(shakenRGBA));
    const blur = report.defects.find((d) => d.defect === 'blur')!;
    expect(blur.verdict).toBe('fixable');
    expect(blur.proposedStage).toBe('deblur');
    expect(blur.reason).toMatch(/Camera shake: the photo moved about \d+ px/);
    const plain = analyzePhoto(noisyRGBA, stageRegistry.all());
    expect(withCameraShakeVerdict(plain, () => findCameraShake(noisyRGBA))).toEqual(plain);
    // a photo judged sharp is not searched for shake at all (the estimate costs seconds)...
    const judgedSharp = (r: typeof plain, blurRadiusEstimate: number) => ({
      ...r, measurements: { ...r.measurements, blurRadiusEstimate },
      defects: r.defects.map((d) => (d.defect === 'blur' ? { ...d, verdict: 'none' as const } : d)),
    });
    const sharpReport = judgedSharp(plain, 0);
    expect(withCameraShakeVerdict(sharpReport, () => { throw new Error('searched'); })).toBe(sharpReport);
    // ...unless the classical estimate measures blur: the net calls some long shakes sharp
    const shakenJudgedSharp = judgedSharp(judged, SHAKE_SEARCH_MIN_BLUR + 0.1);
    expect(withCameraShakeVerdict(shakenJudgedSharp, () => findCameraShake(shakenRGBA)).defects.find((d) => d.defect === 'blur')!.verdict).toBe('fixable');
  });

  it('the blur analysis starts the shake search off the thread before the other stages analyse, and reports as inline', async () => {
    const shakenRGBA = planarToRGBA(shaken), judged = analyzePhoto(shakenRGBA, stageRegistry.all());
    const searched: RGBAImage[] = [];
    const offThread: OffThreadWork = { findCameraShake: async (img) => (searched.push(img), findCameraShake(img)) };
    const model = async () => null;
    const started = await sharpen.start!(shakenRGBA, judged, { model, offThread });
    expect(searched).toEqual([shakenRGBA]);
    const kept: unknown[] = [];
    const viaStart = await sharpen.analyse!(shakenRGBA, judged, { model, keep: (f) => kept.push(f), offThread, started });
    expect(searched).toHaveLength(1);
    expect(kept).toEqual([findCameraShake(shakenRGBA)]);
    expect(viaStart.defects.find((d) => d.defect === 'blur')!.reason).toMatch(/Camera shake/);
    expect(await sharpen.analyse!(shakenRGBA, judged, { model, keep: () => undefined })).toEqual(viaStart);
  });
});

describe('the Python reference (training/heirloom_train/deconv.py) keeps the engine\'s settings', () => {
  // The calibration tools and the smoke run the Python gate and estimate; they must be the app's.
  // Both read src/engine/shared-constants.json; the gate's logic is held equal by engine-twins.test.ts.
  it('EDGE_SHARE and the gate limits come from the shared file, in both languages', () => {
    expect(EDGE_SHARE).toBe(SHARED.kernelEdgeShare);
    expect(SHAKE_CROP).toEqual(SHARED.shakeCrop);
    expect(ESTIMATE_LIMITS).toEqual(SHARED.shakeGate);
    const py = readFileSync(new URL('../../training/heirloom_train/deconv.py', import.meta.url), 'utf8');
    expect(py).toMatch(/^from \.shared_constants import .*EDGE_SHARE/m);
    expect(py).toMatch(/^from \.shared_constants import .*SHAKE_CROP/m);
    expect(py).toMatch(/^from \.shared_constants import .*SHAKE_LIMITS/m);
    // No literal of its own that could drift from the shared file.
    expect(py).not.toMatch(/^(EDGE_SHARE|SHAKE_LIMITS|SMALL_SHAKE_LIMITS|HALFWAY_LIMITS) = /m);
  });
});
