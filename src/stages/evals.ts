/**
 * Every stage's evaluation, for `npm run eval` (Node only: the worker never imports this list).
 * A stage with an evaluation lists its folder's eval.ts here, beside its line in index.ts.
 */
import type { EvalCommand } from '../node/eval/types.ts';
import { evals as colour } from './colour/eval.ts';
import { evals as denoise } from './denoise/eval.ts';
import { evals as fill } from './fill/eval.ts';
import { evals as deblur } from './deblur/eval.ts';

export const stageEvals: EvalCommand[] = [...fill, ...colour, ...deblur, ...denoise];
