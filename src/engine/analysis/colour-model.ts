/**
 * Fading and casts judged by the colour model itself: it predicts the correction on a
 * thumbnail, and how far that moves the colours (mean CIEDE2000) says how faded the
 * photo is. A photo the model would barely change is left alone, whatever its
 * statistics (a sunset is warm on purpose).
 */
import { planarToRGBA, rgbaToPlanar, type RGBAImage } from '../image.ts';
import { applyCurves, predictCurvesFrom, sourceThumbnail } from '../colour/model-correction.ts';
import { meanDeltaE00 } from '../metrics/deltae.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import type { AnalysisReport, DefectVerdict } from './analyze.ts';

/** Below this mean shift (CIEDE2000) the colours count as sound; just-noticeable is about 1-2. */
export const COLOUR_SHIFT_MIN = 3;

/** Measured on the same thumbnail the model's input is made from: one pass over the full photo. */
export async function colourShift(img: RGBAImage, runner: ModelRunner): Promise<number> {
  const source = sourceThumbnail(img, runner);
  const corr = await predictCurvesFrom(source, runner);
  const thumb = planarToRGBA(source);
  return meanDeltaE00(rgbaToPlanar(thumb), rgbaToPlanar(applyCurves(thumb, corr, 1)));
}

/** Replaces the statistics-based colour and fading proposals by the model's own judgement. */
export function withColourModelVerdict(report: AnalysisReport, shift: number): AnalysisReport {
  const r1 = Math.round(shift * 10) / 10;
  const severity = Math.min(1, Math.max(0, (shift - COLOUR_SHIFT_MIN) / 20));
  const verdict: DefectVerdict =
    shift < COLOUR_SHIFT_MIN
      ? { defect: 'colour', severity: 0, verdict: 'none', reason: `Colours look sound: the colour model would move them by only ${r1} (CIEDE2000).` }
      : {
          defect: 'colour', severity, verdict: shift > 20 ? 'partly-fixable' : 'fixable',
          reason: `Faded or tinted colours: the colour model would move them by ${r1} on average (CIEDE2000)${shift > 20 ? '; dyes this far gone do not come back fully' : ''}.`,
          proposedStage: 'colour', suggestedStrength: 1,
        };
  const defects = report.defects
    .filter((d) => d.defect !== 'colour')
    .map((d) => (d.defect === 'fading' ? { ...d, proposedStage: undefined, suggestedStrength: undefined } : d));
  return { ...report, defects: [verdict, ...defects] };
}
