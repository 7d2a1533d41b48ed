import type { EvalTask } from '../types.ts';
import { denoiseTask } from './denoise.ts';

/** Evaluation tasks by name; each model issue adds its task here. */
export const EVAL_TASKS: Record<string, EvalTask> = {
  denoise: denoiseTask,
};
