/**
 * Blur judged by the deblurring model itself. It runs on a full-resolution centre crop (blur
 * vanishes when a photo is shrunk), and how much it sharpens says how blurred the photo is:
 * the gain in edge energy, output over input, measured on a 2x box-averaged luma so that the
 * noise the model also removes barely counts. A sharp photo comes back as it went in (gain
 * about 1), so it is left alone whatever the classical estimate says.
 *
 * The classical estimate (sharpness.ts) still sizes the blur for "beyond what it can fix":
 * the model learned defocus up to a 6 px radius and shake up to 21 px; past that it sharpens
 * edges but cannot bring fine detail back, and the report says so.
 */
import { cropRGBA, planarLuma, thumbnailPlanar, type RGBAImage } from '../../engine/image.ts';
import { runModelTiled } from '../../engine/pipeline/tiled-model.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { NO_PROGRESS } from '../../engine/tiling.ts';
import type { CameraShake } from '../../engine/classical/camera-shake.ts';
import type { AnalysisReport, DefectVerdict } from '../../engine/analysis/analyze.ts';
import { gradientEnergy } from '../../engine/analysis/sharpness.ts';
import { clamp01, r1, type Measurements } from '../../engine/analysis/analyze.ts';
import { meta } from './meta.ts';

/** Side of the centre crop the model sees (cost: ~0.25 s of int8 WASM at 28k MACs/pixel). */
const CROP = 512;

/** Below this edge-energy gain the model finds nothing to sharpen. */
export const SHARPEN_GAIN_MIN = 1.3;
/** Below this gain a photo is only slightly soft, and sharpening is proposed at reduced strength. */
export const SOFT_GAIN_MAX = 1.6;
/**
 * Classical blur estimates (Gaussian-equivalent sigma, sharpness.ts) past the model's training
 * range. Measured on Kodak24 (training/tools/make_blur_set.py): defocus radius 4 reads 1.3-1.9,
 * radius 6 reads 2.0-3.0.
 */
export const BLUR_PARTLY = 2;
export const BLUR_BEYOND = 3.5;

/** Luma averaged over 2x2 blocks, so pixel-level noise is averaged down. */
const halfLuma = (img: RGBAImage) => planarLuma(thumbnailPlanar(img, Math.ceil(Math.max(img.width, img.height) / 2)));

/** Edge-energy gain of the model's output over its input on the photo's centre crop. */
export async function sharpeningGain(img: RGBAImage, runner: ModelRunner): Promise<number> {
  const w = Math.min(CROP, img.width), h = Math.min(CROP, img.height);
  const crop = cropRGBA(img, (img.width - w) >> 1, (img.height - h) >> 1, w, h);
  const out = await runModelTiled(crop, runner, 1, NO_PROGRESS);
  const a = halfLuma(crop), b = halfLuma(out);
  const before = gradientEnergy(a.data, a.width, a.height);
  return before > 1e-6 ? gradientEnergy(b.data, b.width, b.height) / before : 1;
}

/** Replaces the statistics-based blur verdict by the model's judgement, sized by the classical estimate. */
export function withBlurModelVerdict(report: AnalysisReport, gain: number): AnalysisReport {
  const sigma = report.measurements.blurRadiusEstimate;
  const g = Math.round(gain * 100) / 100, s = Math.round(sigma * 10) / 10;
  const severity = Math.min(1, Math.max(0, (gain - 1) / 3, sigma / (2 * BLUR_BEYOND)));
  let verdict: DefectVerdict;
  if (sigma > BLUR_BEYOND) {
    verdict = {
      defect: 'blur', severity: 1, verdict: 'beyond-repair', proposedStage: meta.id, suggestedStrength: 1,
      reason: `Very blurred (estimated blur about ${s} px): beyond what the deblurring model learned. It can firm up edges, but the lost detail cannot be restored.`,
    };
  } else if (gain < SHARPEN_GAIN_MIN) {
    verdict = { defect: 'blur', severity: 0, verdict: 'none', reason: `The photo is sharp enough: the deblurring model would change its edges by a factor of only ${g}.` };
  } else if (sigma > BLUR_PARTLY) {
    verdict = {
      defect: 'blur', severity, verdict: 'partly-fixable', proposedStage: meta.id, suggestedStrength: 1,
      reason: `Clearly blurred (estimated blur about ${s} px; the model would strengthen edges ${g}x): it gets sharper, but the finest detail does not come back.`,
    };
  } else if (gain < SOFT_GAIN_MAX) {
    // As soft as old lenses and prints often are (docs/real-photo-bench.md): unsure it is blur at
    // all, the stage does less.
    verdict = {
      defect: 'blur', severity, verdict: 'fixable', proposedStage: meta.id, suggestedStrength: Math.round(Math.min(1, Math.max(0.3, (gain - 1) / (SOFT_GAIN_MAX - 1))) * 20) / 20,
      reason: `Slightly soft, as old lenses and prints often are: the deblurring model would strengthen edges ${g}x. Proposed at reduced strength; softness that belongs to the photo is better left alone.`,
    };
  } else {
    verdict = {
      defect: 'blur', severity, verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1,
      reason: `Soft or slightly blurred: the deblurring model would strengthen edges ${g}x; it can restore crispness.`,
    };
  }
  return withBlurVerdict(report, verdict);
}

/** The report with its blur verdict replaced. */
function withBlurVerdict(report: AnalysisReport, verdict: DefectVerdict): AnalysisReport {
  return { ...report, defects: report.defects.map((d) => (d.defect === 'blur' ? verdict : d)) };
}

/**
 * Classical blur size (Gaussian-equivalent sigma, sharpness.ts) from which a photo the net judges
 * sharp enough is still searched for camera shake: the net barely changes a long shake's edges, so
 * it calls some shaken photos sharp. Set on the 32 CBSD432 calibration photos (made as
 * docs/models/deblur.md says): every sharp one reads 0.00 and radius-1 defocus at most 0.23, while
 * the 15 px shakes the net called sharp read 0.00-0.52 (3 of the 4 it trusted are over this).
 */
export const SHAKE_SEARCH_MIN_BLUR = 0.3;

/** Whether the photo is searched for camera shake: judged blurred, or measurably blurred by the classical estimate. */
export function searchesForShake(report: AnalysisReport): boolean {
  const blur = report.defects.find((d) => d.defect === 'blur');
  return !!blur && (blur.verdict !== 'none' || report.measurements.blurRadiusEstimate >= SHAKE_SEARCH_MIN_BLUR);
}

/**
 * Trusted camera shake (classical/camera-shake.ts: a kernel `useEstimate` trusts) overrides the
 * blur verdict: the deblur stage deconvolves it by the measured kernel, which undoes shake the net
 * and the classical size estimate would call too large. The estimate costs seconds, so only photos
 * judged blurred, or measurably blurred by the classical estimate, are searched (`findShake` is
 * called for them alone); a sharp photo is not.
 */
export function withCameraShakeVerdict(report: AnalysisReport, findShake: () => CameraShake | null): AnalysisReport {
  if (!searchesForShake(report)) return report;
  const shake = findShake();
  if (!shake?.deconvolve) return report;
  const verdict: DefectVerdict = {
    defect: 'blur', severity: Math.min(1, shake.checks.spread / 6), verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1,
    reason: `Camera shake: the photo moved about ${shake.lengthPx} px during the exposure. The shake measured in the photo can be undone by deconvolution.`,
  };
  return withBlurVerdict(report, verdict);
}


/** Blur judged from the classical size estimate alone (sharpness.ts): the verdict the model's, when it ships, replaces. */
export function blurVerdict(m: Measurements): DefectVerdict {
  const b = m.blurRadiusEstimate;
  const num = `about ${r1(b)} px`;
  const severity = clamp01((b - 1) / 9);
  if (b < 1) return { defect: 'blur', severity: 0, verdict: 'none', reason: `The photo is sharp: estimated blur ${num}.` };
  const strength = clamp01(b / 4);
  if (b <= 4) return { defect: 'blur', severity, verdict: 'fixable', reason: `Slightly soft: estimated blur ${num}; sharpening can restore crispness.`, proposedStage: meta.id, suggestedStrength: strength };
  if (b <= 8) return { defect: 'blur', severity, verdict: 'partly-fixable', reason: `Clearly blurred: estimated blur ${num}; sharpening helps, but fine detail cannot be fully recovered.`, proposedStage: meta.id, suggestedStrength: strength };
  return { defect: 'blur', severity: 1, verdict: 'beyond-repair', reason: `Very blurred: estimated blur ${num}; the detail is gone and cannot be restored, only edges can be firmed up.`, proposedStage: meta.id, suggestedStrength: 1 };
}
