import { describe, expect, it } from 'vitest';
import { createPlanar, type PlanarImage } from '../../src/engine/image.ts';
import { CounterRNG } from '../../src/engine/degradations/rng.ts';
import { applyDegradation, DEGRADATIONS, gaussianNoise, realisticDraws } from '../../src/engine/degradations/degradations.ts';

const H = 7, W = 9;
/** The 9x7 image used to produce the Python reference values below: u8[y][x][c] = ((y*W+x)*3+c)*37 mod 256. */
function refImage(): PlanarImage {
  const img = createPlanar(W, H, 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
    img.data[c * W * H + y * W + x] = ((((y * W + x) * 3 + c) * 37) % 256) / 255;
  }
  return img;
}
const at = (img: PlanarImage, y: number, x: number, c: number) => img.data[c * W * H + y * W + x];

// Values from training/heirloom_train/data/degradations.py (float64) for the same calls.
const REF: Record<string, { call: () => PlanarImage; first: number[]; last: number[] }> = {
  film_grain_mono: {
    call: () => applyDegradation('film_grain', refImage(), { amount: 0.06, size: 0.9, mono: true }, 9, 2),
    first: [-0.03466018319141512, 0.11043785602427117, 0.25553589523995746, 0.4308831322754726, 0.5759811714911589, 0.7210792107068451],
    last: [0.8121348998303087, -0.04668862958145592, 0.09840940963423035],
  },
  film_grain_colour: {
    call: () => applyDegradation('film_grain', refImage(), { amount: 0.06, size: 1.3, mono: false }, 9, 3),
    first: [0.073710430020636, 0.1839674831829855, 0.311051901493671, 0.5385495893713774, 0.6335880282019238, 0.7560863079060784],
    last: [0.9059705892462517, 0.11542091183437524, 0.30660311807668117],
  },
  chroma_noise: {
    call: () => applyDegradation('chroma_noise', refImage(), { amount: 0.03, scale: 2.5 }, 11, 0),
    first: [0.004376980941921568, 0.1322117589901833, 0.3450691917440148, 0.44106629061117003, 0.5671180604178327, 0.7787009033887334],
    last: [0.9257676853102055, 0.012649854247597833, 0.14517887669543747],
  },
  poisson_gaussian: {
    call: () => applyDegradation('poisson_gaussian', refImage(), { a: 0.02, b: 0.03 }, 7, 1),
    first: [0.02484695995253493, 0.05584227589881219, 0.25194029299864007, 0.5285346220666938, 0.5074723536864768, 0.7662346042640935],
    last: [0.8919995667662584, 0.09573933257612863, 0.22986578089176268],
  },
  realistic_seed1: {
    call: () => applyDegradation('realistic', refImage(), { jpeg_enabled: false }, 1, 4),
    first: [0.0, 0.1450980392156863, 0.2901960784313726, 0.4392156862745098, 0.5843137254901961, 0.7294117647058823],
    last: [],
  },
};

describe('ported degradations match the Python definition', () => {
  it.each(Object.keys(REF))('%s', (name) => {
    const { call, first, last } = REF[name];
    const out = call();
    const got = [at(out, 0, 0, 0), at(out, 0, 0, 1), at(out, 0, 0, 2), at(out, 0, 1, 0), at(out, 0, 1, 1), at(out, 0, 1, 2)];
    got.forEach((v, i) => expect(Math.abs(v - first[i])).toBeLessThan(1e-6));
    last.forEach((v, c) => expect(Math.abs(at(out, H - 1, W - 1, c) - v)).toBeLessThan(1e-6));
  });
});

describe('degradation behaviour', () => {
  it('gaussian noise has the requested std, is unclipped and deterministic', () => {
    const img = createPlanar(64, 64, 3);
    img.data.fill(0.02);
    const a = gaussianNoise(img, 25, 5), b = gaussianNoise(img, 25, 5), c = gaussianNoise(img, 25, 6);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    let s = 0, s2 = 0, neg = 0;
    for (const v of a.data) { s += v - 0.02; s2 += (v - 0.02) ** 2; if (v < 0) neg++; }
    const n = a.data.length;
    expect(Math.sqrt(s2 / n - (s / n) ** 2) * 255).toBeCloseTo(25, 0);
    expect(neg).toBeGreaterThan(0);
  });
  it('forks are independent streams and realistic draws are in range', () => {
    const r = new CounterRNG(1, 2);
    expect(r.fork(0).uniform1()).not.toBe(r.fork(1).uniform1());
    const d = realisticDraws(new CounterRNG(3, 0));
    expect(d.grainAmount).toBeGreaterThanOrEqual(0.01);
    expect(d.grainAmount).toBeLessThanOrEqual(0.08);
    expect(d.jpegQuality).toBeGreaterThanOrEqual(30);
    expect(Object.keys(DEGRADATIONS).sort()).toEqual(['chroma_noise', 'film_grain', 'gaussian', 'poisson_gaussian', 'realistic']);
    expect(() => applyDegradation('realistic', refImage(), {}, 1)).toThrow(/JPEG/);
  });
});
