import { blendInto } from '../../engine/image.ts';
import { NLM_RECEPTIVE_FIELD, nonLocalMeans } from '../../engine/classical/denoise.ts';
import { runStageModel } from '../../engine/pipeline/stage-model.ts';
import { runTiledRGBA } from '../../engine/pipeline/tiled-model.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { noiseVerdict } from './analysis.ts';
import { meta } from './meta.ts';

/** Noise level assumed when no analysis is available (8-bit units). */
const DEFAULT_SIGMA = 15;

export const stage: StageImpl = {
  meta,
  judge: (m) => [noiseVerdict(m)],
  async run(input, options, ctx) {
    const viaModel = await runStageModel(input, meta.modelTask!, options.strength, ctx);
    if (viaModel) return viaModel;
    // Classical fallback: non-local means at the measured noise level.
    const sigma = (ctx.analysis?.measurements.noiseSigma ?? DEFAULT_SIGMA) / 255;
    const overlap = NLM_RECEPTIVE_FIELD({ sigma });
    const image = await runTiledRGBA(
      input,
      { tile: 256, overlap, sizeMultiple: 1 },
      (tile) => blendInto(tile, nonLocalMeans(tile, sigma), options.strength),
      ctx,
    );
    return { image, method: 'classical' };
  },
};
