import { applyColourPlan, colourCorrector, planForPhoto } from './plan.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { colourVerdict, fadingVerdict, judgeColour, withColourPlanVerdict } from './analysis.ts';
import { meta } from './meta.ts';

/**
 * Faded colour and casts, within the plan's guards (plan.ts): toned and grey
 * prints keep their tone, casts are repaired only towards neutral, lifted blacks come down
 * without crushing, and a photo that is not faded keeps its brightness.
 */
export const stage: StageImpl = {
  meta,
  judge: (m) => [colourVerdict(m), fadingVerdict(m)],
  async analyse(image, report, ctx) {
    return withColourPlanVerdict(report, await judgeColour(image, await ctx.model(meta.modelTask!)));
  },
  async run(input, options, ctx) {
    const runner = await ctx.runner('colour');
    const corrector = await colourCorrector(input, runner);
    const { plan } = planForPhoto(input, corrector, { neutralise: options.neutralise });
    const corrected = plan.strengthCap > 0 ? corrector.correct(input) : null;
    ctx.progress(1, 2);
    const image = applyColourPlan(input, corrected, plan, options.strength, (d, t) => ctx.progress(t + d, 2 * t));
    const how = plan.mode === 'tone' ? 'tone kept, luminance only' : plan.mode === 'neutral' ? 'made neutral grey on request' : plan.castRepair ? 'cast repaired' : 'colour balance';
    return {
      image,
      method: runner ? 'model' : 'classical',
      model: runner ? { id: runner.entry.id, version: runner.entry.version } : undefined,
      detail: `${how}${plan.levels ? ', faded range restored' : ''}${plan.strengthCap < 1 ? `, held to ${Math.round(plan.strengthCap * 100)}% by the do-no-harm guards` : ''}`,
    };
  },
};
