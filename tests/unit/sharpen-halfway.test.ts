/**
 * The sharpen stage on a kernel that may be shake or defocus (CameraShake.weight between 0 and 1):
 * its result is that share of the deconvolution mixed with the blind path. The estimate is stubbed
 * so the test does not depend on where a synthetic photo's estimate lands.
 */
import { describe, expect, it, vi } from 'vitest';
import { cloneRGBA, createRGBA, mixRGBA } from '../../src/engine/image.ts';
import { standaloneContext } from '../../src/engine/pipeline/stage.ts';
import type { BlurKernel } from '../../src/engine/classical/deconvolution.ts';

const line: BlurKernel = (() => {
  const size = 7, data = new Float64Array(size * size);
  for (let j = 1; j < 6; j++) data[3 * size + j] = 1 / 5; // a 5 px horizontal shake
  return { size, data };
})();
const possibleShake = vi.hoisted(() => ({ weight: 0.5 }));

vi.mock('../../src/engine/classical/camera-shake.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/engine/classical/camera-shake.ts')>();
  return {
    ...original,
    findCameraShake: () => ({
      kernel: line, deconvolve: false, weight: possibleShake.weight, lengthPx: 5,
      checks: { spread: 1.7, elongation: 1.35, compactness: 1.8, zerosRatio: Infinity },
    }),
  };
});

function photo(): ReturnType<typeof createRGBA> {
  const img = createRGBA(96, 80);
  for (let y = 0; y < 80; y++) for (let x = 0; x < 96; x++) {
    const i = 4 * (y * 96 + x), v = ((x >> 3) + (y >> 4)) % 2 ? 200 : 40;
    img.data.set([v, (v + x) & 255, 255 - v, 255], i);
  }
  return img;
}

describe('the sharpen stage where the kernel may be shake', () => {
  it('mixes the weight of the deconvolution with the blind path, and says so', async () => {
    const { stage, unsharpPath } = await import('../../src/stages/deblur/worker.ts');
    const { deconvolveShake } = await import('../../src/engine/classical/camera-shake.ts');
    const input = photo(), ctx = standaloneContext(null);
    const shown: number[] = []; // the progress bar: one pass after the other, never going back
    const out = await stage.run(input, { strength: 1 }, { ...ctx, progress: (done, total) => shown.push(done / total) });
    expect(shown.length).toBeGreaterThan(1);
    expect(shown.every((v, i) => i === 0 || v >= shown[i - 1])).toBe(true);
    expect(shown.at(-1)).toBe(1);
    expect(shown.some((v) => v <= 0.5)).toBe(true);
    const blind = await unsharpPath(input, 1, ctx), deconvolved = await deconvolveShake(input, line, 1, ctx);
    expect(out.image.data).toEqual(mixRGBA(blind, cloneRGBA(deconvolved), 0.5).data);
    expect(out.image.data).not.toEqual(blind.data);
    expect(out.image.data).not.toEqual(deconvolved.data);
    expect(out.detail).toMatch(/^50% deconvolution by a possible camera shake .* the rest an unsharp mask$/);

    possibleShake.weight = 0; // outside every region: the blind path alone
    const plain = await stage.run(input, { strength: 1 }, ctx);
    expect(plain.image.data).toEqual(blind.data);
    expect(plain.detail).toBeUndefined();
  });

  it('mixRGBA takes the weight of b per colour channel and a\'s alpha', () => {
    const a = createRGBA(1, 1), b = createRGBA(1, 1);
    a.data.set([0, 100, 200, 255]);
    b.data.set([100, 100, 0, 7]);
    expect([...mixRGBA(a, b, 0.25).data]).toEqual([25, 100, 150, 255]);
  });

  it('runs the net on two views of a photo up to DEBLUR_TWO_VIEWS_MAX_PIXELS and on one past it', async () => {
    const { stage, deblurViews, DEBLUR_TWO_VIEWS_MAX_PIXELS } = await import('../../src/stages/deblur/worker.ts');
    possibleShake.weight = 0; // the blind net alone
    let calls = 0;
    const net = {
      entry: { id: 'stand-in', version: '1.0.0', preferredTile: 4096, tileOverlap: 8, sizeMultiple: 8 },
      run: async (t: { width: number; height: number; data: Float32Array }) => (calls++, t),
    } as never;
    const count = async (w: number, h: number) => {
      calls = 0;
      await stage.run(createRGBA(w, h), { strength: 1 }, standaloneContext(net));
      return calls;
    };
    expect(deblurViews(2000, 2000)).toBe(2);
    expect(deblurViews(2000, 2001)).toBe(1);
    expect(2000 * 2000).toBe(DEBLUR_TWO_VIEWS_MAX_PIXELS);
    expect(await count(96, 80)).toBe(2); // one tile, as it is and mirrored
    expect(await count(2048, 2000)).toBe(1);
  });
});
