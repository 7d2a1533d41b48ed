import type { EvalTask } from '../types.ts';
import { denoiseTask } from './denoise.ts';

/** Evaluation tasks by name; each new model task adds its entry here. */
export const EVAL_TASKS: Record<string, EvalTask> = {
  denoise: denoiseTask,
};
