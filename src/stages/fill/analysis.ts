/**
 * How damaged a photo is, measured with the trained detector on the photo as the fill's detector
 * sees it (a large scan shrunk: engine/damage/detect.ts). Where that fits in WHOLE_MAX_PIXELS (every
 * photo up to 1,024 px; 3:2 scans of 12 and 24 MP, seen at 1.33 and 1.5 MP) the detector runs once over
 * all of it (on scans over ONE_VIEW_MIN_PIXELS, one view of it), and the fill's own detection reuses
 * the result. Otherwise it samples, so that the analysis stays cheap: a centre crop at the detector's
 * scale (thin scratches and specks vanish when a photo is shrunk further) and a thumbnail of the whole
 * photo (tears and holes are large, and may be anywhere).
 */
import { cropRGBA, planarToRGBA, thumbnailPlanar, type RGBAImage } from '../../engine/image.ts';
import { classifySeeded, DETECT_VIEWS, detectDamage, detectShrink, probabilitiesOfSeen, seenPhoto, type DetectedDamage, type SeenProbabilities } from '../../engine/damage/detect.ts';
import { damageCertainty } from '../../engine/damage/certainty.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { meta } from './meta.ts';
import type { DefectVerdict } from '../../engine/analysis/analyze.ts';

export interface DamageSample {
  /** Share of the centre crop's pixels that are thin defects. */
  defectShare: number;
  /** Share of the whole photo (from its thumbnail) that is missing. */
  missingShare: number;
  /** Whether the detector is sure the photo is damaged (engine/damage/certainty.ts), on the centre crop. */
  sure?: boolean;
  /** The detector's probabilities over the whole photo, when it saw all of it: the fill reuses them. */
  seen?: SeenProbabilities;
}

const CROP = 1024;
const THUMB = 768;
/** The most pixels the detector sees whole in the analysis: no more than the crop and the thumbnail it replaces. */
export const WHOLE_MAX_PIXELS = CROP * CROP + THUMB * THUMB;

/**
 * From this many pixels (a photo, not as the detector sees it) the analysis looks with the first of the
 * detector's views only, and the fill adds the others before it fills (`withAllViews`): the fill's mask is
 * the same, and the report on a large scan comes sooner by three of the detector's four passes. The
 * verdict then rests on one view, which on the bench photos finds about as much (docs/speed.md).
 */
export const ONE_VIEW_MIN_PIXELS = 4_000_000;

const share = (m: Uint8Array) => m.reduce((n, v) => n + v, 0) / Math.max(1, m.length);

type Found = Omit<DetectedDamage, 'method'>;

/** The pixels of `found` (a `width`-wide photo's) inside a rectangle. */
function cropFound(found: Found, width: number, x0: number, y0: number, w: number, h: number): Found {
  const take = <T extends Uint8Array | Float32Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(w * h);
    for (let y = 0; y < h; y++) out.set(a.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w) as T, y * w);
    return out;
  };
  return { defect: take(found.defect), missing: take(found.missing), confidence: take(found.confidence) };
}

export async function sampleDamage(img: RGBAImage, detector: ModelRunner): Promise<DamageSample> {
  const shrink = detectShrink(img.width, img.height), seen = seenPhoto(img, shrink);
  const w = Math.min(CROP, seen.width), h = Math.min(CROP, seen.height);
  const x0 = (seen.width - w) >> 1, y0 = (seen.height - h) >> 1;
  let centre: Found, whole: Found, kept: SeenProbabilities | undefined;
  if (seen.width * seen.height <= WHOLE_MAX_PIXELS) {
    kept = await probabilitiesOfSeen(seen, shrink, detector, {}, img.width * img.height >= ONE_VIEW_MIN_PIXELS ? 1 : DETECT_VIEWS);
    whole = classifySeeded(kept.probabilities, detector);
    centre = w === seen.width && h === seen.height ? whole : cropFound(whole, seen.width, x0, y0, w, h);
  } else {
    centre = await detectDamage(cropRGBA(seen, x0, y0, w, h), detector);
    whole = await detectDamage(planarToRGBA(thumbnailPlanar(seen, THUMB)), detector);
  }
  const found = centre.defect.map((v, i) => v | centre.missing[i]);
  const { sure } = damageCertainty(found, (i) => centre.confidence[i], w, h);
  return { defectShare: share(centre.defect), missingShare: share(whole.missing), sure, seen: kept };
}

/** A share as a percentage: two decimals under 1%, whole above. */
export const pct = (v: number) => `${v < 0.01 ? (v * 100).toFixed(2) : Math.round(v * 100)}%`;

/**
 * Below these shares a photo counts as undamaged: the detector's false alarms stay under 0.1%
 * of an undamaged photo on held-out CBSD432 photos and CBSD68 (0.05%), so specks on less than
 * that are not proposed. On sharp film scans they do not: on the clean Kodak24 photos (0.12%
 * of pixels flagged on average, npm run eval -- --task detect) 11 of 24 are proposed the fill,
 * for crisp natural lines (masts, rigging, paddle edges), each a region the user can reject.
 */
export const DEFECT_MIN_SHARE = 0.001;
export const MISSING_MIN_SHARE = 0.0005;

/** Noise from which an unsure detector is not trusted at all: grain this heavy looks like specks to it. */
export const GRAINY_NOISE = 6;

export function damageVerdict(s: DamageSample, noiseSigma = 0): DefectVerdict {
  const found = s.defectShare >= DEFECT_MIN_SHARE, gone = s.missingShare >= MISSING_MIN_SHARE;
  if (!found && !gone) return { defect: 'damage', severity: 0, verdict: 'none', reason: 'No scratches, dust or missing areas found. If you see any, mark them with the brush after restoring.' };
  if (s.sure === false) {
    const what = `possible scratches, specks or cracks on about ${pct(Math.max(s.defectShare, s.missingShare))} of the sampled area`;
    if (noiseSigma >= GRAINY_NOISE) {
      // Not "fine": the report says what was seen and why nothing is proposed.
      return {
        defect: 'damage', severity: 0, verdict: 'fixable',
        reason: `The detector found ${what}, but it is unsure, and on grain this heavy it mistakes grain for specks: nothing is filled automatically. Mark real damage with the brush after restoring.`,
      };
    }
    return {
      defect: 'damage', severity: Math.min(1, s.defectShare * 10), verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1,
      reason: `Found ${what}. The detector is unsure (bright details and grain can look like damage to it), so its finds are shown for you to check and are not applied until you keep them; mark what it missed with the brush.`,
    };
  }
  const parts = [
    found ? `scratches, dust or cracks on about ${pct(s.defectShare)} of the sampled area` : '',
    gone ? `missing or torn areas covering about ${pct(s.missingShare)} of the photo` : '',
  ].filter(Boolean);
  const severity = Math.min(1, Math.max(s.defectShare * 20, s.missingShare * 4));
  const what = parts.join(' and ');
  if (s.missingShare > 0.25) {
    return { defect: 'damage', severity: 1, verdict: 'beyond-repair', reason: `Found ${what}. So much of the photo is gone that a fill can only invent it; it is offered, not applied, and marked as invented.`, proposedStage: meta.id, suggestedStrength: 1 };
  }
  if (gone) {
    return { defect: 'damage', severity, verdict: 'partly-fixable', reason: `Found ${what}. Scratches and specks are filled from their surroundings; missing areas are filled only when you confirm, and marked as invented.`, proposedStage: meta.id, suggestedStrength: 1 };
  }
  return {
    defect: 'damage', severity, verdict: 'fixable', proposedStage: meta.id, suggestedStrength: 1,
    reason: `Found ${what}; they can be filled from their surroundings. On a print covered in cracks, "Follow cracks further" in the fill's options marks more of them for you to check.`,
  };
}
