import type { StageMeta } from '../../engine/pipeline/stage.ts';

export const meta: StageMeta = {
  id: 'fill',
  label: 'Scratches & gaps',
  description: 'Finds scratches, dust, cracks and missing areas and fills them from their surroundings.',
  order: 20,
  control: 'mask',
  generates: true,
  modelTask: 'fill',
  defaults: { strength: 1 },
};
