import { blendInto, mixRGBA, type RGBAImage } from '../../engine/image.ts';
import { UNSHARP_RECEPTIVE_FIELD, unsharpMask } from '../../engine/classical/sharpen.ts';
import { deconvolveShake, findCameraShake, type CameraShake } from '../../engine/classical/camera-shake.ts';
import { runStageModel } from '../../engine/pipeline/stage-model.ts';
import { runTiledRGBA, type ModelViews } from '../../engine/pipeline/tiled-model.ts';
import type { AnalysisContext, StageContext, StageImpl } from '../../engine/pipeline/stage.ts';
import type { AnalysisReport } from '../../engine/analysis/index.ts';
import { blurVerdict, searchesForShake, sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict } from './analysis.ts';
import { inlineWork } from '../../engine/classical/off-thread.ts';
import { meta } from './meta.ts';

const SIGMA = 1.2;

/**
 * The deblurring net sees each tile as it is and mirrored left-right, and the two results are
 * averaged: a small, steady gain over one view on the calibration photos for twice the net's time;
 * four views would add about as much again for twice the time again. Measured by
 * training/tools/self_ensemble_study.py; the numbers are in docs/models/deblur.md.
 */
export const DEBLUR_VIEWS: ModelViews = 2;

/**
 * Past this many pixels the net sees one view: on a 12 MP scan the second view costs about 50 s of
 * WASM for those few hundredths of a dB (docs/speed.md), where on a photo of a few megapixels it
 * costs seconds.
 */
export const DEBLUR_TWO_VIEWS_MAX_PIXELS = 4_000_000;

/** How many views of each tile the net sees on a photo of this size. */
export function deblurViews(width: number, height: number): ModelViews {
  return width * height <= DEBLUR_TWO_VIEWS_MAX_PIXELS ? DEBLUR_VIEWS : 1;
}

/** The blur analysis' first part: the net's sharpening gain (null without the net) and the shake search, if it is called for. */
interface BegunBlurAnalysis {
  gain: number | null;
  shake: Promise<CameraShake | null> | null;
}

/**
 * Runs the net on its crop and, if the photo is to be searched for camera shake, starts the search:
 * seconds of JavaScript that, begun here and off the worker's thread, run while the detector and the
 * colour model analyse. The verdicts themselves wait for `analyse`, so the report reads as before.
 */
async function beginBlurAnalysis(image: RGBAImage, report: AnalysisReport, ctx: Pick<AnalysisContext, 'model' | 'offThread'>): Promise<BegunBlurAnalysis> {
  const deblur = await ctx.model(meta.modelTask!);
  const gain = deblur ? await sharpeningGain(image, deblur) : null;
  const judged = gain === null ? report : withBlurModelVerdict(report, gain);
  const shake = searchesForShake(judged) ? (ctx.offThread ?? inlineWork).findCameraShake(image) : null;
  // awaited by `analyse`; if a stage before it fails first, the failure is nobody's
  shake?.catch(() => undefined);
  return { gain, shake };
}

/**
 * Camera shake whose kernel the estimate can trust is deconvolved by that kernel (the blind net
 * recovers little of it); any other blur goes to the blind net, or without one to an unsharp mask.
 * A kernel that may be shake or defocus (`CameraShake.weight` between 0 and 1) gets both, mixed.
 */
export const stage: StageImpl = {
  meta,
  judge: (m) => [blurVerdict(m)],
  start: beginBlurAnalysis,
  async analyse(image, report, ctx) {
    const begun = (ctx.started as BegunBlurAnalysis | undefined) ?? (await beginBlurAnalysis(image, report, ctx));
    if (begun.gain !== null) report = withBlurModelVerdict(report, begun.gain);
    if (!begun.shake) return report;
    const shake = await begun.shake;
    // The blur is the exposure's: the fill and colour stages before this one leave it as it was, and the
    // stage then acts on the very estimate the report described.
    ctx.keep(shake, { survivesEarlierStages: true });
    return withCameraShakeVerdict(report, () => shake);
  },
  async run(input, options, ctx) {
    // The analysis' estimate when this stage runs on the photo it analysed (after the fill and colour
    // stages too); else one of its own.
    const shake = ctx.finding ? (ctx.finding.value as CameraShake | null) : findCameraShake(input, () => ctx.shouldStop());
    if (shake?.deconvolve) {
      const image = await deconvolveShake(input, shake.kernel, options.strength, ctx);
      return { image, method: 'classical', detail: `deconvolution by the camera shake estimated in the photo (about ${shake.lengthPx} px)` };
    }
    const mixed = !!shake && shake.weight > 0;
    const first = mixed ? halfOfProgress(ctx, 0) : ctx;
    const blind = (await runStageModel(input, meta.modelTask!, options.strength, first, deblurViews(input.width, input.height)))
      ?? { image: await unsharpPath(input, options.strength, first), method: 'classical' as const };
    if (!mixed) return blind;
    const deconvolved = await deconvolveShake(input, shake.kernel, options.strength, halfOfProgress(ctx, 1));
    return {
      ...blind,
      image: mixRGBA(blind.image, deconvolved, shake.weight),
      detail: `${Math.round(100 * shake.weight)}% deconvolution by a possible camera shake estimated in the photo (about ${shake.lengthPx} px), the rest ${blind.method === 'model' ? 'the deblurring model' : 'an unsharp mask'}`,
    };
  },
};

/** `ctx` for one of two passes: its progress shows as the first or the second half of the stage's. */
function halfOfProgress(ctx: StageContext, half: 0 | 1): StageContext {
  return { ...ctx, progress: (done, total) => ctx.progress(half * total + done, 2 * total) };
}

/** The classical path for blur that is not trusted camera shake: an unsharp mask (sigma 1.2). */
export function unsharpPath(input: RGBAImage, strength: number, ctx: StageContext): Promise<RGBAImage> {
  return runTiledRGBA(
    input,
    { tile: 512, overlap: UNSHARP_RECEPTIVE_FIELD(SIGMA), sizeMultiple: 1 },
    (tile) => blendInto(tile, unsharpMask(tile, { sigma: SIGMA, amount: 1 }), strength),
    ctx,
  );
}
