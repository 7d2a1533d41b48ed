import type { StageMeta } from '../../engine/pipeline/stage.ts';

export const meta: StageMeta = {
  id: 'denoise',
  label: 'Noise & grain',
  description: 'Reduces noise, film grain and JPEG blocking while keeping real detail.',
  order: 50,
  control: 'strength',
  modelTask: 'denoise',
  defaults: { strength: 0.8 },
};
