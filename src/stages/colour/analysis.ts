/**
 * Colour and fading judged by what the colour stage would do (plan.ts): the
 * plan is made on a thumbnail with the model's correction (or the classical one), and the report
 * names what it measured: the tone kept, a cast and its repair, lifted blacks. A photo the plan
 * would barely change is left alone, whatever its statistics (a sunset is warm on purpose).
 */
import { rgbaToPlanar, type RGBAImage } from '../../engine/image.ts';
import { colourCorrector, planForPhoto, TARGET_BLACK_L, type ColourPlan } from './plan.ts';
import { meanDeltaE00 } from '../../engine/metrics/deltae.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import type { ToneStats } from '../../engine/analysis/tone.ts';
import type { AnalysisReport, DefectVerdict } from '../../engine/analysis/analyze.ts';
import { clamp01, r1 as round1, type Measurements } from '../../engine/analysis/analyze.ts';
import { meta } from './meta.ts';

/** The report's words for fading the colour model would barely change. */
const UNPROPOSED_FADING = ` No repair is proposed: the colour model would change this photo little. Tick ${meta.label} to try it anyway.`;

/** Below this mean shift (CIEDE2000) the colours count as sound; just-noticeable is about 1-2. */
export const COLOUR_SHIFT_MIN = 3;

export interface ColourJudgement {
  plan: ColourPlan;
  /** Whose correction the plan starts from: the colour model's, or automatic levels without it. */
  method?: 'model' | 'classical';
  /** Mean CIEDE2000 the plan moves the thumbnail by, at full strength. */
  shift: number;
}

export async function judgeColour(img: RGBAImage, runner: ModelRunner | null): Promise<ColourJudgement> {
  const corrector = await colourCorrector(img, runner);
  const { plan, thumb, after } = planForPhoto(img, corrector);
  return { plan, method: corrector.method, shift: meanDeltaE00(rgbaToPlanar(thumb), rgbaToPlanar(after)) };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function toneName(t: ToneStats): string {
  const h = t.hue;
  if (h >= 20 && h < 100) return h < 60 ? 'warm brown (sepia)' : 'yellowish (sepia)';
  if (h >= 180 && h < 300) return 'blue (cyanotype-like)';
  if (h >= 100 && h < 180) return 'greenish';
  return 'reddish (gold or selenium-like)';
}

/** The colour and fading verdicts from the colour stage's plan. */
export function withColourPlanVerdict(report: AnalysisReport, j: ColourJudgement): AnalysisReport {
  const { plan, shift } = j;
  const b = plan.before;
  const classical = j.method === 'classical';
  const repair = classical ? 'automatic levels' : 'the colour model';
  const verbEnding = classical ? '' : 's';
  const acts = plan.strengthCap > 0 && shift >= COLOUR_SHIFT_MIN;
  const sev = Math.min(1, Math.max(0, (shift - COLOUR_SHIFT_MIN) / 20));
  let colour: DefectVerdict;
  if (b.grey) colour = { defect: 'colour', severity: 0, verdict: 'none', reason: 'Black-and-white photo: it stays black-and-white.' };
  else if (b.toned) colour = { defect: 'colour', severity: 0, verdict: 'none', reason: `Toned print (${toneName(b)}, hue ${Math.round(b.hue)}°): the tone is part of the original and is kept.` };
  else if (acts && plan.castRepair) {
    colour = {
      defect: 'colour', severity: sev, verdict: shift > 20 ? 'partly-fixable' : 'fixable', proposedStage: meta.id, suggestedStrength: 1, repairs: ['cast'],
      reason: `Colour cast: the overall colour leans ${toneName(b)} (strength ${r1(b.cast)}); ${repair} take${verbEnding} it towards neutral (${r1(plan.after.cast)})${shift > 20 ? '; dyes this far gone do not come back fully' : ''}.`,
    };
  } else if (acts && plan.mode === 'colour') {
    colour = {
      defect: 'colour', severity: sev, verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1,
      reason: `Faded colours: ${repair} would move them by ${r1(shift)} on average (CIEDE2000), keeping the overall hue.`,
    };
  } else colour = { defect: 'colour', severity: 0, verdict: 'none', reason: `Colours look sound: no cast to repair (overall colour strength ${r1(b.cast)}).` };
  const pct = (L: number) => `L* ${Math.round(L)}`;
  let fading: DefectVerdict;
  if (plan.faded && plan.strengthCap > 0 && plan.after.p1L <= b.p1L - 3) {
    fading = {
      defect: 'fading', severity: Math.min(1, (b.p1L - 12) / 25), verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1, repairs: ['range'],
      reason: `Faded: the darkest tones sit at ${pct(b.p1L)} instead of near black; ${repair} bring${verbEnding} them to about ${pct(Math.max(TARGET_BLACK_L, plan.after.p1L))}${b.toned ? ' and keeps the tone' : ''}.`,
    };
  } else if (plan.faded) {
    fading = { defect: 'fading', severity: 0, verdict: 'none', reason: `The darkest tones sit at ${pct(b.p1L)}, but restoring them would barely change the photo.` };
  } else if (b.p99L < 70) {
    fading = { defect: 'fading', severity: 0, verdict: 'none', reason: `A dark, low-key photo (whites at ${pct(b.p99L)}, blacks at ${pct(b.p1L)}): dark by nature, not faded.` };
  } else fading = { defect: 'fading', severity: 0, verdict: 'none', reason: `Good contrast: tones span ${pct(b.p1L)} to ${pct(b.p99L)}.` };
  const defects = report.defects.filter((d) => d.defect !== 'colour' && d.defect !== 'fading');
  return { ...report, defects: [colour, { ...fading, coveredBy: meta.id }, ...defects] };
}

/**
 * The colour verdict from the model's shift alone (kept for callers that measured only that).
 * Prefer withColourPlanVerdict, which also names the tone, the cast and the range.
 */
export function withColourModelVerdict(report: AnalysisReport, shift: number): AnalysisReport {
  const r = Math.round(shift * 10) / 10;
  const severity = Math.min(1, Math.max(0, (shift - COLOUR_SHIFT_MIN) / 20));
  const verdict: DefectVerdict =
    shift < COLOUR_SHIFT_MIN
      ? { defect: 'colour', severity: 0, verdict: 'none', reason: `Colours look sound: the colour model would move them by only ${r} (CIEDE2000).` }
      : {
          defect: 'colour', severity, verdict: shift > 20 ? 'partly-fixable' : 'fixable',
          reason: `Faded or tinted colours: the colour model would move them by ${r} on average (CIEDE2000)${shift > 20 ? '; dyes this far gone do not come back fully' : ''}.`,
          proposedStage: meta.id, suggestedStrength: 1,
        };
  const defects = report.defects
    .filter((d) => d.defect !== 'colour')
    .map((d) => (d.defect === 'fading' ? { ...d, proposedStage: undefined, suggestedStrength: undefined, coveredBy: meta.id, unproposedNote: UNPROPOSED_FADING } : d));
  return { ...report, defects: [verdict, ...defects] };
}


/** Cast and fading judged from the photo's statistics alone: the verdicts the colour plan's (withColourPlanVerdict) replace. */
export function colourVerdict(m: Measurements): DefectVerdict {
  if (m.monochrome) return { defect: 'colour', severity: 0, verdict: 'none', reason: 'Black-and-white photo: no colour cast to correct.' };
  if (m.sepia) return { defect: 'colour', severity: 0, verdict: 'none', reason: `Sepia-toned photo (warm tone of strength ${round1(m.cast)}): the tone is kept as part of the original.` };
  const c = m.cast;
  const num = `${round1(c)} (CIELAB a*/b* of the average colour)`;
  if (c < 7) return { defect: 'colour', severity: 0, verdict: 'none', reason: `Colours look balanced: cast ${num}.` };
  const severity = clamp01((c - 7) / 30);
  if (c <= 30) return { defect: 'colour', severity, verdict: 'fixable', reason: `Colour cast of strength ${num}; white balance can neutralise it.`, proposedStage: meta.id, suggestedStrength: clamp01(0.4 + severity) };
  return { defect: 'colour', severity, verdict: 'partly-fixable', reason: `Strong colour cast of strength ${num}, typical of faded dyes; balance can be improved but some colours are lost.`, proposedStage: meta.id, suggestedStrength: 1 };
}

export function fadingVerdict(m: Measurements): DefectVerdict {
  return { ...classicalFading(m), coveredBy: meta.id };
}

function classicalFading(m: Measurements): DefectVerdict {
  const range = m.dynamicRange, lift = m.lumaP1;
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const severity = clamp01(Math.max((0.7 - range) / 0.5, (lift - 0.12) / 0.3));
  if (range >= 0.7 && lift < 0.12) return { defect: 'fading', severity: 0, verdict: 'none', reason: `Good contrast: tones span ${pct(range)} of the range.` };
  const reason = `Faded: tones span only ${pct(range)} of the range and the darkest tones sit at ${pct(lift)} grey`;
  if (range >= 0.25) return { defect: 'fading', severity, verdict: 'fixable', reason: `${reason}; levels can restore contrast.`, proposedStage: meta.id, suggestedStrength: clamp01(0.4 + severity) };
  return { defect: 'fading', severity, verdict: 'partly-fixable', reason: `${reason}; contrast can be stretched but tonal steps (banding) may show.`, proposedStage: meta.id, suggestedStrength: 1 };
}
