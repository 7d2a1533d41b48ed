import { createRGBA, type RGBAImage } from '../image.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import { rgbaSink, rgbaSource, runTiled, type TileFn, type TileSpec } from '../tiling.ts';
import type { StageContext, StageOutput } from './stage.ts';

/** The tile layout a model asks for in its manifest entry. */
export function modelTileSpec(runner: ModelRunner, tile?: number): TileSpec {
  const e = runner.entry;
  return { tile: tile ?? e.preferredTile, overlap: e.tileOverlap, sizeMultiple: e.sizeMultiple };
}

/** Runs a per-tile function over an 8-bit photo, streaming into a new 8-bit photo. */
export async function runTiledRGBA(input: RGBAImage, spec: TileSpec, fn: TileFn, ctx: StageContext): Promise<RGBAImage> {
  const out = createRGBA(input.width, input.height);
  await runTiled(rgbaSource(input), spec, fn, rgbaSink(out, input), {
    onTile: (d, t) => ctx.progress(d, t),
    shouldStop: () => ctx.shouldStop(),
  });
  return out;
}

/** Runs a model over an 8-bit photo with its own tiling and a strength input. */
export function runModelTiled(input: RGBAImage, runner: ModelRunner, strength: number, ctx: StageContext, tile?: number) {
  return runTiledRGBA(input, modelTileSpec(runner, tile), (t) => runner.run(t, strength), ctx);
}

/** The model path every strength-driven stage shares: null when no model ships for the task. */
export async function runStageModel(input: RGBAImage, task: string, strength: number, ctx: StageContext): Promise<StageOutput | null> {
  const runner = await ctx.runner(task);
  if (!runner) return null;
  const image = await runModelTiled(input, runner, strength, ctx);
  return { image, method: 'model', model: { id: runner.entry.id, version: runner.entry.version } };
}
