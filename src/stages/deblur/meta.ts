import type { StageMeta } from '../../engine/pipeline/stage.ts';

export const meta: StageMeta = {
  id: 'deblur',
  label: 'Blur',
  description: 'Makes soft or slightly blurred photos crisper without halos.',
  order: 40,
  control: 'strength',
  modelTask: 'deblur',
  aliases: ['sharpen'],
  defaults: { strength: 0.6 },
};
