import type { StageMeta } from '../../engine/pipeline/stage.ts';

export const meta: StageMeta = {
  id: 'colour',
  label: 'Faded colour',
  description: 'Restores contrast and neutral colour to faded or tinted photos; black-and-white stays black-and-white.',
  order: 30,
  control: 'strength',
  scope: 'global',
  modelTask: 'colour',
  defaults: { strength: 1 },
};
