import { applyColourCorrection, computeColourCorrection, scaleCorrection } from '../../engine/classical/colour.ts';
import { thumbnailPlanar } from '../../engine/image.ts';
import { runTiledRGBA } from '../../engine/pipeline/tiled-model.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { meta } from './meta.ts';

/** Statistics come from a thumbnail: fading is a global property, and this keeps 24 MP photos cheap. */
const STATS_SIDE = 512;

export const stage: StageImpl = {
  meta,
  async run(input, options, ctx) {
    // A learned colour model will plug in here (ctx.runner('colour')); until then, automatic levels.
    const correction = scaleCorrection(computeColourCorrection(thumbnailPlanar(input, STATS_SIDE)), options.strength);
    const image = await runTiledRGBA(
      input,
      { tile: 512, overlap: 0, sizeMultiple: 1 },
      (tile) => applyColourCorrection(tile, correction),
      ctx,
    );
    return { image, method: 'classical' };
  },
};
