/**
 * TS vs Python conformance of the evaluation degradations. The golden file is written by
 * training/tools/make_degradation_vectors.py from training/heirloom_train/data/degradations.py.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPlanar } from '../../src/engine/image.ts';
import { CounterRNG, counterKey, lowbias32 } from '../../src/engine/degradations/rng.ts';
import { gaussianNoise, gaussianNoiseFrom8bit } from '../../src/engine/degradations/degradations.ts';

interface Golden {
  height: number; width: number; channels: number;
  lowbias32: Record<string, number>;
  input_uint8: number[]; input_float: number[];
  seed0_first16_u32: number[]; seed0_first4_uniform: number[]; seed0_first4_normal: number[];
  cases: Array<{ seed: number; stream: number; sigma: number; key: number; noisy_float64: number[]; noisy_float32: number[] }>;
}

const golden: Golden = JSON.parse(readFileSync(new URL('../fixtures/degradations/gaussian_vectors.json', import.meta.url), 'utf8'));
const { height: H, width: W } = golden;

/** Python HWC flat index of planar element (c, y, x). */
const hwc = (c: number, y: number, x: number) => (y * W + x) * 3 + c;

describe('counter RNG conformance', () => {
  it('lowbias32, u32, uniforms and normals match Python', () => {
    for (const [k, v] of Object.entries(golden.lowbias32)) expect(lowbias32(Number(k))).toBe(v);
    const r = new CounterRNG(0, 0);
    expect(Array.from({ length: 16 }, (_, i) => r.u32At(i))).toEqual(golden.seed0_first16_u32);
    const u = new CounterRNG(0, 0).uniform(4);
    golden.seed0_first4_uniform.forEach((v, i) => expect(u[i]).toBe(v));
    const z = new CounterRNG(0, 0).normal(4);
    golden.seed0_first4_normal.forEach((v, i) => expect(Math.abs(z[i] - v)).toBeLessThan(1e-14));
    for (const c of golden.cases) expect(counterKey(c.seed, c.stream)).toBe(c.key);
  });
});

describe('gaussian degradation conformance', () => {
  const planar = createPlanar(W, H, 3);
  const rgba = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
    planar.data[c * W * H + y * W + x] = golden.input_float[hwc(c, y, x)];
    rgba.data[(y * W + x) * 4 + c] = golden.input_uint8[hwc(c, y, x)];
  }
  it.each(golden.cases.map((c) => [c.seed, c]))('seed %i: max abs diff < 1e-6 (float planar input)', (_seed, c) => {
    const out = gaussianNoise(planar, c.sigma, c.seed, c.stream);
    let maxDiff = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let ch = 0; ch < 3; ch++) {
      maxDiff = Math.max(maxDiff, Math.abs(out.data[ch * W * H + y * W + x] - c.noisy_float64[hwc(ch, y, x)]));
    }
    expect(maxDiff).toBeLessThan(1e-6);
  });
  it.each(golden.cases.map((c) => [c.seed, c]))('seed %i: bit-exact float32 from 8-bit input', (_seed, c) => {
    const out = gaussianNoiseFrom8bit(rgba, c.sigma, c.seed, c.stream);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let ch = 0; ch < 3; ch++) {
      expect(out.data[ch * W * H + y * W + x]).toBe(c.noisy_float32[hwc(ch, y, x)]);
    }
  });
});
