import type { RGBAImage } from '../image.ts';
import type { StageContext, StageOutput } from './stage.ts';
import { runModelTiled, type ModelViews } from './tiled-model.ts';

/** The model path every strength-driven stage shares: null when no model ships for the task. */
export async function runStageModel(input: RGBAImage, task: string, strength: number, ctx: StageContext, views: ModelViews = 1): Promise<StageOutput | null> {
  const runner = await ctx.runner(task);
  if (!runner) return null;
  const image = await runModelTiled(input, runner, strength, ctx, undefined, views);
  return { image, method: 'model', model: { id: runner.entry.id, version: runner.entry.version } };
}
