import { describe, expect, it } from 'vitest';
import { cloneRGBA } from '../../src/engine/image.ts';
import { runModelTiled } from '../../src/engine/pipeline/tiled-model.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { createPlanar, mirrorPlanar, type PlanarImage, type RGBAImage } from '../../src/engine/image.ts';
import { orderRequests, runPipeline, StageRegistry } from '../../src/engine/pipeline/pipeline.ts';
import type { StageImpl, StageMeta } from '../../src/engine/pipeline/stage.ts';
import { RestorationService } from '../../src/engine/service/restoration-service.ts';
import { testPattern, tinyRunner } from '../helpers/models.ts';

function meta(id: string, order: number): StageMeta {
  return { id, label: id, description: id, order, control: 'strength', defaults: { strength: 1 } };
}

/** A stage that adds `delta` to the red channel of a rectangle, so its change map is known exactly. */
function boxStage(id: string, order: number, delta: number, log: string[]): StageImpl {
  return {
    meta: meta(id, order),
    async run(input, options, ctx) {
      log.push(id);
      const image = cloneRGBA(input);
      for (let y = 2; y < 5; y++) for (let x = 3; x < 7; x++) image.data[(y * input.width + x) * 4] += Math.round(delta * options.strength);
      ctx.progress(1, 1);
      return { image, method: 'classical' };
    },
  };
}

describe('pipeline', () => {
  it('runs stages in their fixed order, never touches the original, and returns change maps', async () => {
    const log: string[] = [];
    const registry = new StageRegistry([boxStage('denoise', 50, 10, log), boxStage('fill', 20, 20, log), boxStage('colour', 30, 30, log)]);
    const original = testPattern(12, 9, 1);
    for (let i = 0; i < original.data.length; i += 4) original.data[i] = 100;
    const copy = cloneRGBA(original);
    const progress: string[] = [];
    const results = await runPipeline(original, [{ stage: 'denoise' }, { stage: 'fill' }, { stage: 'colour', options: { strength: 0.5 } }], registry, {
      runner: async () => null,
      onProgress: (p) => progress.push(`${p.stageIndex}:${p.stage}:${p.done}/${p.total}`),
    });
    expect(log).toEqual(['fill', 'colour', 'denoise']);
    expect(results.map((r) => r.stage)).toEqual(['fill', 'colour', 'denoise']);
    expect(progress).toEqual(['0:fill:1/1', '1:colour:1/1', '2:denoise:1/1']);
    expect(original.data).toEqual(copy.data);
    const colour = results[1];
    expect(colour.options.strength).toBe(0.5);
    expect(colour.changeMap[3 * 12 + 4]).toBe(15);
    expect(colour.changeMap[0]).toBe(0);
    expect(results[2].image.data[(3 * 12 + 4) * 4]).toBe(100 + 20 + 15 + 10);
  });

  it('hands a stage its analysis\' finding on the analysed photo, and after earlier stages only if it survives them', async () => {
    const seen: Record<string, unknown> = {};
    const noting = (id: string, order: number): StageImpl => ({
      meta: meta(id, order),
      async run(input, _options, ctx) {
        seen[id] = ctx.finding?.value;
        const image = cloneRGBA(input);
        image.data[0] ^= 1;
        return { image, method: 'classical' };
      },
    });
    const registry = new StageRegistry([noting('first', 1), noting('pixels', 2), noting('blur', 3)]);
    const findings = new Map([
      ['first', { value: 'f', survivesEarlierStages: false }],
      ['pixels', { value: 'p', survivesEarlierStages: false }],
      ['blur', { value: 'b', survivesEarlierStages: true }],
    ]);
    await runPipeline(testPattern(8, 8, 1), [{ stage: 'first' }, { stage: 'pixels' }, { stage: 'blur' }], registry, { runner: async () => null, findings });
    expect(seen).toEqual({ first: 'f', pixels: undefined, blur: 'b' });
  });

  it('refuses unknown and duplicate stages', () => {
    const registry = new StageRegistry([boxStage('a', 1, 1, [])]);
    expect(() => orderRequests(registry, [{ stage: 'b' }])).toThrow(/Unknown stage "b"/);
    expect(() => orderRequests(registry, [{ stage: 'a' }, { stage: 'a' }])).toThrow(/twice/);
  });

  it('stops between tiles when asked, with an AbortError', async () => {
    const runner = await tinyRunner();
    const image = testPattern(300, 200, 2);
    let tiles = 0;
    const run = runModelTiled(image, runner, 1, {
      progress: (d) => (tiles = d),
      shouldStop: () => tiles >= 2,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tiles).toBe(2);
  });

  it('strength 0 leaves the photo untouched through the model', async () => {
    const runner = await tinyRunner();
    const image = testPattern(70, 50, 4);
    const ctx = { runner: async () => runner, progress: () => {}, shouldStop: () => false };
    const out = await runModelTiled(image, runner, 0, ctx);
    expect(out.data).toEqual(image.data);
    const full = await runModelTiled(image, runner, 1, ctx);
    expect(full.data).not.toEqual(image.data);
  });

  it('two views: the model on the tile and on its mirror image (mirrored back), averaged', async () => {
    // A "model" that is not mirror-symmetric: each pixel takes its left neighbour's value.
    const fromLeft = (t: PlanarImage) => {
      const out = createPlanar(t.width, t.height, t.channels);
      for (let r = 0; r < t.channels * t.height; r++) for (let x = 0; x < t.width; x++) out.data[r * t.width + x] = t.data[r * t.width + Math.max(0, x - 1)];
      return out;
    };
    const runner = { entry: { preferredTile: 64, tileOverlap: 8, sizeMultiple: 1 }, run: async (t: PlanarImage) => fromLeft(t) } as unknown as ModelRunner;
    const tile = createPlanar(5, 2, 1);
    tile.data.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(mirrorPlanar(tile, 1).data)).toEqual([5, 4, 3, 2, 1, 10, 9, 8, 7, 6]);
    const image = testPattern(40, 30, 3);
    const ctx = { runner: async () => runner, progress: () => {}, shouldStop: () => false };
    const one = await runModelTiled(image, runner, 1, ctx, undefined, 1);
    const two = await runModelTiled(image, runner, 1, ctx, undefined, 2);
    for (const [x, y] of [[10, 5], [20, 17], [33, 29]]) {
      for (let c = 0; c < 3; c++) {
        const at = (img: RGBAImage, xx: number) => img.data[(y * 40 + xx) * 4 + c];
        expect(at(one, x)).toBe(at(image, x - 1));
        // the mirrored view takes each pixel from its right neighbour; the two are averaged (8-bit rounding)
        expect(Math.abs(at(two, x) - (at(image, x - 1) + at(image, x + 1)) / 2)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('runs every stage\'s analysis start before any stage analyses, and hands each its own', async () => {
    const log: string[] = [];
    const offThread = { findCameraShake: async () => null };
    const first: StageImpl = { ...boxStage('fill', 20, 1, log), analyse: async (_img, report) => (log.push('fill analyses'), report) };
    const second: StageImpl = {
      ...boxStage('deblur', 40, 1, log),
      start: async (_img, _report, ctx) => (log.push(`deblur starts${ctx.offThread === offThread ? ' off the thread' : ''}`), 'begun'),
      analyse: async (_img, report, ctx) => (log.push(`deblur analyses with ${String(ctx.started)}`), report),
    };
    const svc = new RestorationService({} as never, {} as never, new StageRegistry([second, first]), { offThread });
    await svc.analyze(testPattern(16, 12, 3));
    expect(log).toEqual(['deblur starts off the thread', 'fill analyses', 'deblur analyses with begun']);
  });
});
