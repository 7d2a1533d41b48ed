import { beforeAll, describe, expect, it } from 'vitest';
import { createPlanar, rgbaToPlanar, type PlanarImage } from '../../src/engine/image.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { planAxis, planarSink, planarSource, reflectIndex, roundUp, runTiled, type TileSpec } from '../../src/engine/tiling.ts';
import { testPattern, tinyRunner } from '../helpers/models.ts';

/** Whole-image reference: the model run once on the photo reflect-padded to its size multiple. */
async function wholeImage(runner: ModelRunner, img: PlanarImage): Promise<PlanarImage> {
  const m = runner.entry.sizeMultiple;
  const src = planarSource(img);
  const padded = src.read(0, 0, roundUp(img.width, m), roundUp(img.height, m));
  const out = await runner.run(padded, 1);
  const cropped = createPlanar(img.width, img.height, 3);
  const plane = out.width * out.height;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        cropped.data[c * img.width * img.height + y * img.width + x] = out.data[c * plane + y * out.width + x];
  return cropped;
}

async function tiled(runner: ModelRunner, img: PlanarImage, spec: TileSpec) {
  const out = createPlanar(img.width, img.height, 3);
  let tiles = 0;
  await runTiled(planarSource(img), spec, (t) => runner.run(t, 1), planarSink(out), { onTile: (d) => (tiles = d) });
  return { out, tiles };
}

function maxAbsDiff(a: PlanarImage, b: PlanarImage) {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

describe('tiling', () => {
  let runner: ModelRunner;
  beforeAll(async () => {
    runner = await tinyRunner('wasm');
  });

  it('mirrors indices periodically, also for padding wider than the photo', () => {
    expect([-2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflectIndex(i, 3))).toEqual([2, 1, 0, 1, 2, 1, 0, 1]);
    expect(reflectIndex(7, 1)).toBe(0);
  });

  it('plans same-shape tiles, the last one shifted inward, covering every pixel', () => {
    const plan = planAxis(301, { tile: 64, overlap: 12, sizeMultiple: 2 });
    expect(plan.padded).toBe(302);
    expect(plan.starts.at(-1)).toBe(302 - 64);
    expect(plan.starts.every((s) => s % 2 === 0)).toBe(true);
    expect(plan.valid[0][0]).toBe(0);
    expect(plan.valid.at(-1)![1]).toBe(302);
    for (let k = 1; k < plan.valid.length; k++) expect(plan.valid[k][0]).toBeLessThanOrEqual(plan.valid[k - 1][1]);
  });

  it('shrinks the tiles to the smallest that cover the photo in as many tiles', () => {
    const plan = planAxis(2122, { tile: 1024, overlap: 80, sizeMultiple: 16 });
    expect(plan.starts.length).toBe(3);
    expect(plan.size).toBe(848);
    expect(plan.size % 16).toBe(0);
    expect(plan.valid.at(-1)![1]).toBe(2128);
    for (let k = 1; k < plan.valid.length; k++) expect(plan.valid[k][0]).toBeLessThanOrEqual(plan.valid[k - 1][1]);
    expect(planAxis(2122, { tile: plan.size - 16, overlap: 80, sizeMultiple: 16 }).starts.length).toBe(4);
  });

  it('refuses a tile too small for its overlap', () => {
    expect(() => planAxis(500, { tile: 32, overlap: 16, sizeMultiple: 2 })).toThrow(/too small/);
  });

  const sizes: Array<[number, number]> = [
    [1, 1], [3, 2], [7, 5], [64, 64], [65, 63], [131, 97], [257, 130],
  ];
  for (const [w, h] of sizes) {
    it(`tiled output equals whole-image output for ${w}x${h} (max error < 1/255)`, async () => {
      const img = rgbaToPlanar(testPattern(w, h, w * 31 + h));
      const whole = await wholeImage(runner, img);
      const { out, tiles } = await tiled(runner, img, {
        tile: runner.entry.preferredTile,
        overlap: runner.entry.tileOverlap,
        sizeMultiple: runner.entry.sizeMultiple,
      });
      if (w > 64 || h > 64) expect(tiles).toBeGreaterThan(1);
      expect(maxAbsDiff(whole, out)).toBeLessThan(1 / 255);
      expect(maxAbsDiff(whole, img)).toBeGreaterThan(1 / 255); // the model really changes the photo
    });
  }

  it('without an overlap margin the seams show (the test can fail)', async () => {
    const img = rgbaToPlanar(testPattern(131, 97, 5));
    const whole = await wholeImage(runner, img);
    const { out } = await tiled(runner, img, { tile: 32, overlap: 0, feather: 0, sizeMultiple: 2 });
    expect(maxAbsDiff(whole, out)).toBeGreaterThan(1 / 255);
  });
});
