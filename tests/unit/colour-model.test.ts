import { describe, expect, it } from 'vitest';
import { createPlanar, createRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { applyCurves, isGrey, predictCurves, resizeArea, type CurveCorrection } from '../../src/stages/colour/model-correction.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { proposeStages } from '../../src/engine/analysis/index.ts';
import { withColourModelVerdict } from '../../src/stages/colour/analysis.ts';

const K = 17, G = 4;
const identity = () => Float32Array.from({ length: K }, (_, i) => i / (K - 1));

function photo(w: number, h: number, fn: (x: number, y: number, c: number) => number): RGBAImage {
  const img = createRGBA(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 4; c++) img.data[(y * w + x) * 4 + c] = c === 3 ? 255 : fn(x, y, c);
  return img;
}

/** A stand-in for the ONNX session: fixed curves (red lifted, blue lowered) and zero gains. */
function fakeRunner(curves: Float32Array[]): ModelRunner {
  return {
    entry: { id: 'fake', version: '0', io: { input: 'input', output: 'curves', gains: 'gains', thumbnail: 64, knots: K, grid: G } },
    runOutputs: async (inputs: Record<string, { data: Float32Array; dims: number[] }>) => {
      expect(inputs.input.dims).toEqual([1, 3, 64, 64]);
      const c = new Float32Array(3 * K);
      curves.forEach((k, i) => c.set(k, i * K));
      return { curves: { data: c, dims: [1, 3, K] }, gains: { data: new Float32Array(3 * G * G), dims: [1, 3, G, G] } };
    },
  } as unknown as ModelRunner;
}

describe('colour model correction', () => {
  it('area resize keeps a flat image flat and the mean of a pattern', () => {
    const src = createPlanar(10, 6, 1);
    src.data.forEach((_, i) => (src.data[i] = i % 2));
    const out = resizeArea(src, 3, 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out.data)).toBeCloseTo(mean(src.data), 6);
  });

  it('identity curves and zero gains give the photo back exactly; strength 0 too', () => {
    const img = photo(37, 23, (x, y, c) => (x * 7 + y * 3 + c * 50) % 256);
    const id: CurveCorrection = { curves: [identity(), identity(), identity()], gains: [0, 1, 2].map(() => new Float32Array(G * G)), knots: K, grid: G };
    expect(applyCurves(img, id, 1).data).toEqual(img.data);
    const lift: CurveCorrection = { ...id, curves: [identity().map((v) => Math.min(1, v + 0.2)), identity(), identity()] };
    expect(applyCurves(img, lift, 0).data).toEqual(img.data);
    expect(applyCurves(img, lift, 1).data[0]).toBe(Math.round(Math.min(255, img.data[0] + 51)));
  });

  it('a grey photo stays grey even when the model gives each channel its own curve', async () => {
    const curves = [identity().map((v) => Math.min(1, v * 1.2)), identity(), identity().map((v) => v * 0.8)];
    const grey = photo(120, 80, (x, y) => (x + 2 * y) % 256);
    const thumb = (img: RGBAImage) => { const t = createPlanar(img.width, img.height, 3); const n = img.width * img.height; for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) t.data[c * n + i] = img.data[i * 4 + c] / 255; return t; };
    expect(isGrey(thumb(grey))).toBe(true);
    const out = applyCurves(grey, await predictCurves(grey, fakeRunner(curves)), 1);
    for (let p = 0; p < out.data.length; p += 4) expect(out.data[p]).toBe(out.data[p + 2]);
    const colour = photo(120, 80, (x, y, c) => (c === 0 ? 200 : (x + 2 * y) % 256));
    expect(isGrey(thumb(colour))).toBe(false);
    const warm = applyCurves(colour, await predictCurves(colour, fakeRunner(curves)), 1);
    expect(warm.data[4 * 41] - warm.data[4 * 41 + 2]).not.toBe(colour.data[4 * 41] - colour.data[4 * 41 + 2]);
  });
});

describe('colour verdict from the model', () => {
  const report = {
    measurements: {} as never,
    defects: [
      { defect: 'colour' as const, severity: 0.5, verdict: 'fixable' as const, reason: 'cast', proposedStage: 'colour' as const, suggestedStrength: 0.9 },
      { defect: 'fading' as const, severity: 0.5, verdict: 'fixable' as const, reason: 'faded', proposedStage: 'colour' as const, suggestedStrength: 0.9 },
    ],
  };
  it('a photo the model would barely change gets no colour stage, whatever its statistics said', () => {
    const r = withColourModelVerdict(report, 1.2);
    expect(proposeStages(r)).toEqual([]);
    expect(r.defects.find((d) => d.defect === 'colour')!.verdict).toBe('none');
  });
  it('a faded one gets it once, with the shift in the reason', () => {
    const r = withColourModelVerdict(report, 9.4);
    expect(proposeStages(r).map((p) => p.stage)).toEqual(['colour']);
    expect(r.defects.find((d) => d.defect === 'colour')!.reason).toContain('9.4');
  });
});
