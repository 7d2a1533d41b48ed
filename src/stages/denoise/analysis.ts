/** Noise and grain judged from the classical noise estimate (engine/analysis/noise.ts). */
import { clamp01, r1, type DefectVerdict, type Measurements } from '../../engine/analysis/analyze.ts';
import { meta } from './meta.ts';

export function noiseVerdict(m: Measurements): DefectVerdict {
  const s = m.noiseSigma;
  const severity = clamp01((s - 2) / 58);
  const num = `${r1(s)} (8-bit levels)`;
  if (s < 2) return { defect: 'noise', severity: 0, verdict: 'none', reason: `Noise is negligible: estimated noise level ${num}.` };
  // The denoiser is blind: at strength 1 it removes the noise it sees, whatever its level. Below 1
  // it keeps some of the original grain, which suits lightly noisy photos (film look): full
  // strength from a level of 12 up, tapering to ~0.6 for barely noisy photos.
  const strength = clamp01(0.5 + s / 24);
  if (s <= 30) return { defect: 'noise', severity, verdict: 'fixable', reason: `Visible grain/noise, estimated level ${num}; denoising should remove it cleanly.`, proposedStage: meta.id, suggestedStrength: strength };
  if (s <= 60) return { defect: 'noise', severity, verdict: 'partly-fixable', reason: `Heavy noise, estimated level ${num}; denoising will help but fine detail under the noise is partly lost.`, proposedStage: meta.id, suggestedStrength: strength };
  return { defect: 'noise', severity: 1, verdict: 'beyond-repair', reason: `Extreme noise, estimated level ${num}; most detail is lost. Denoising can smooth it but cannot recover detail.`, proposedStage: meta.id, suggestedStrength: 1 };
}
