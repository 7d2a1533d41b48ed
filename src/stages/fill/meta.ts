import type { StageMeta } from '../../engine/pipeline/stage.ts';

export const meta: StageMeta = {
  id: 'fill',
  label: 'Scratches & gaps',
  description: 'Fills the marked scratches, dust and missing areas from their surroundings.',
  order: 20,
  control: 'mask',
  modelTask: 'fill',
  defaults: { strength: 1 },
};
