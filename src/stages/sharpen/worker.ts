import { blendInto } from '../../engine/image.ts';
import { UNSHARP_RECEPTIVE_FIELD, unsharpMask } from '../../engine/classical/sharpen.ts';
import { runStageModel, runTiledRGBA } from '../../engine/pipeline/tiled-model.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { meta } from './meta.ts';

const SIGMA = 1.2;

export const stage: StageImpl = {
  meta,
  async run(input, options, ctx) {
    const viaModel = await runStageModel(input, meta.modelTask!, options.strength, ctx);
    if (viaModel) return viaModel;
    const image = await runTiledRGBA(
      input,
      { tile: 512, overlap: UNSHARP_RECEPTIVE_FIELD(SIGMA), sizeMultiple: 1 },
      (tile) => blendInto(tile, unsharpMask(tile, { sigma: SIGMA, amount: 1 }), options.strength),
      ctx,
    );
    return { image, method: 'classical' };
  },
};
