import { describe, expect, it } from 'vitest';
import { createPlanar, createRGBA } from '../../src/engine/image.ts';
import { DETECT_MAX_SIDE, DETECT_VIEWS, damageProbabilities, detectDamage, detectShrink, enlargeProbabilities } from '../../src/engine/damage/detect.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { ONE_VIEW_MIN_PIXELS, sampleDamage } from '../../src/stages/fill/analysis.ts';
import { stage as fillStage } from '../../src/stages/fill/worker.ts';
import type { StageContext } from '../../src/engine/pipeline/stage.ts';

describe('the detector on large photos', () => {
  it('shrinks a photo by the smallest whole factor that brings its long side to DETECT_MAX_SIDE', () => {
    expect(detectShrink(DETECT_MAX_SIDE, 900)).toBe(1);
    expect(detectShrink(900, DETECT_MAX_SIDE + 1)).toBe(2);
    expect(detectShrink(4242, 2828)).toBe(3); // 12 MP
    expect(detectShrink(6000, 4000)).toBe(4); // 24 MP
  });

  it('enlarges probabilities bilinearly with pixel centres aligned', () => {
    const p = createPlanar(3, 2, 1);
    p.data.set([0, 1, 2, 3, 4, 5]);
    const big = enlargeProbabilities(p, 2, 6, 4);
    // row 1 of the enlarged plane sits a quarter of the way from shrunk row 0 to row 1
    expect(Array.from(big.data.subarray(6, 12))).toEqual([0.75, 1, 1.5, 2, 2.5, 2.75]);
    expect(big.data[0]).toBe(0); // clamped at the border
    expect(big.data[23]).toBe(5);
  });

  it('the fill reuses the analysis\' detection of a large photo and finds the same damage', async () => {
    let calls = 0;
    const entry = { id: 'stand-in', version: '1.0.0', preferredTile: 256, tileOverlap: 16, sizeMultiple: 4 };
    const bright = {
      entry,
      run: async (t: { width: number; height: number; data: Float32Array }) => {
        calls++;
        const n = t.width * t.height, out = createPlanar(t.width, t.height, 2);
        for (let i = 0; i < n; i++) out.data[i] = t.data[i] > 0.8 ? 1 : 0;
        return out;
      },
    } as unknown as ModelRunner;
    const W = DETECT_MAX_SIDE + 400, H = 300; // seen shrunk 2x, whole
    const img = createRGBA(W, H);
    for (let i = 0; i < W * H; i++) {
      const x = i % W, v = x >= 700 && x < 708 ? 250 : 60;
      img.data.set([v, v, v, 255], 4 * i);
    }
    const kept: unknown[] = [];
    await fillStage.analyse!(img, { defects: [], measurements: { noiseSigma: 0 } } as never, { model: async () => bright, keep: (f) => kept.push(f) });
    expect(kept).toHaveLength(1);
    const sample = await sampleDamage(img, bright);
    expect(sample.defectShare).toBeGreaterThan(0);
    const ctx = (finding?: { value: unknown }): StageContext => ({
      runner: async (task) => (task === 'detect' ? bright : null), progress: () => {}, shouldStop: () => false, finding,
    });
    const fresh = await fillStage.run(img, { strength: 1 }, ctx());
    calls = 0;
    const reused = await fillStage.run(img, { strength: 1 }, ctx({ value: kept[0] }));
    expect(calls).toBe(0);
    expect(reused.mask).toEqual(fresh.mask);
    expect(reused.mask!.reduce((a, v) => a + v, 0)).toBeGreaterThan(H * 8);
    // another model's finding is not used
    const other = { value: { ...(kept[0] as object), model: { id: 'other', version: '1.0.0' } } };
    await fillStage.run(img, { strength: 1 }, ctx(other));
    expect(calls).toBeGreaterThan(0);
  });

  it('on a scan over ONE_VIEW_MIN_PIXELS the analysis looks once and the fill adds the other views', async () => {
    let calls = 0;
    // a stand-in whose answer depends on where in the tile a pixel is, so that the mirrored views differ
    const graded = {
      entry: { id: 'stand-in', version: '1.0.0', preferredTile: 256, tileOverlap: 16, sizeMultiple: 4 },
      run: async (t: { width: number; height: number; data: Float32Array }) => {
        calls++;
        const n = t.width * t.height, out = createPlanar(t.width, t.height, 2);
        for (let i = 0; i < n; i++) out.data[i] = t.data[i] > 0.8 ? 0.5 + (0.4 * (i % t.width)) / t.width : 0;
        return out;
      },
    } as unknown as ModelRunner;
    const W = 2600, H = 1540; // 4.0 MP, seen shrunk 2x, whole
    expect(W * H).toBeGreaterThanOrEqual(ONE_VIEW_MIN_PIXELS);
    const img = createRGBA(W, H);
    for (let i = 0; i < W * H; i++) {
      const x = i % W, v = (x >= 700 && x < 708) || (x >= 1900 && x < 1912) ? 250 : 60;
      img.data.set([v, v, v, 255], 4 * i);
    }
    const kept: { seen: { views: number } }[] = [];
    await fillStage.analyse!(img, { defects: [], measurements: { noiseSigma: 0 } } as never, { model: async () => graded, keep: (f) => kept.push(f as never) });
    const looks = calls;
    expect(kept[0].seen.views).toBe(1);
    const ctx = (finding?: { value: unknown }): StageContext => ({
      runner: async (task) => (task === 'detect' ? graded : null), progress: () => {}, shouldStop: () => false, finding,
    });
    calls = 0;
    const fresh = await fillStage.run(img, { strength: 1 }, ctx());
    expect(calls).toBe(DETECT_VIEWS * looks);
    calls = 0;
    const completed = await fillStage.run(img, { strength: 1 }, ctx({ value: kept[0] }));
    expect(calls).toBe((DETECT_VIEWS - 1) * looks);
    expect(completed.mask).toEqual(fresh.mask);
    expect(completed.mask!.reduce((a, v) => a + v, 0)).toBeGreaterThan(H * 8);
  });

  it('runs the detector on the shrunk photo and finds a crack where the photo has it', async () => {
    // a stand-in detector: defect where the tile is bright
    const seen: number[] = [];
    const bright = {
      entry: { preferredTile: 256, tileOverlap: 16, sizeMultiple: 4 },
      run: async (t: { width: number; height: number; data: Float32Array }) => {
        seen.push(Math.max(t.width, t.height));
        const n = t.width * t.height, out = createPlanar(t.width, t.height, 2);
        for (let i = 0; i < n; i++) out.data[i] = t.data[i] > 0.8 ? 1 : 0;
        return out;
      },
    } as unknown as ModelRunner;
    const W = DETECT_MAX_SIDE * 2 + 40, H = 120;
    const img = createRGBA(W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = (y * W + x) * 4, crack = x >= 1000 && x < 1012;
        img.data[p] = img.data[p + 1] = img.data[p + 2] = crack ? 250 : 60;
        img.data[p + 3] = 255;
      }
    }
    const probs = await damageProbabilities(img, bright, {}, 1);
    expect(probs.width).toBe(W);
    expect(Math.max(...seen)).toBeLessThanOrEqual(Math.ceil(W / 3) + 2 * 16);
    const found = await detectDamage(img, bright);
    for (const y of [0, 60, 119]) {
      const row = found.defect.subarray(y * W, (y + 1) * W);
      // a 12 px crack seen shrunk 3x: its core comes back at full resolution, nothing far from it
      expect(Array.from(row.subarray(1002, 1010)).every((v) => v === 1)).toBe(true);
      expect(row.reduce((a, v) => a + v, 0)).toBeLessThanOrEqual(14);
      expect(row.subarray(0, 990).every((v) => v === 0) && row.subarray(1022).every((v) => v === 0)).toBe(true);
    }
  });
});
