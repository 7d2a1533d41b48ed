/**
 * The do-no-harm rules for real photos, which have no clean original to score against: each rule
 * compares the photo before and after the automatic path (what the app shows and exports) and
 * says what broke. The real-photo bench flags a photo HARMED when any rule breaks; the unit
 * tests show each rule breaking and holding on small generated photos.
 */
import { hueDistance, labSample, newlyClippedShare, toneStatsOf, type LabSample, type ToneStats } from '../../../engine/analysis/tone.ts';
import type { RGBAImage } from '../../../engine/image.ts';

/** A toned print keeps the hue of its overall tone within this many degrees. */
export const TONED_HUE_MAX = 5;
/** Any other photo, unless a cast was measured and its repair proposed. */
export const HUE_MAX = 10;
/** Below this chroma of the mean colour, its hue is noise and not compared. */
export const HUE_MIN_CAST = 3;
export const MEAN_L_MAX = 6;
/** Share of pixels that may newly clip to black (L* < 1) or white (L* > 99). */
export const CLIP_MAX = 0.005;
/**
 * Share of pixels that may gain a colour of another hue (toned) or any colour (grey). A pixel
 * counts when its chroma off the photo's own hue grows past 6 units and by 4 or more: smaller
 * shifts are within JPEG and grain noise.
 */
export const NEW_HUE_MAX = 0.001;
export const NEW_HUE_CHROMA = 6;
export const NEW_HUE_STEP = 4;
/** Halo and speckle the blur stage may add (haloRms of its output against its input, 8-bit units). */
export const HALO_MAX = 1.5;
/** Share of an undamaged photo the fill may change by default. */
export const FILL_UNDAMAGED_MAX = 0.001;
/** Noise the eye sees on a print (analysis noise level, 8-bit units): the denoiser is owed. */
export const NOISE_VISIBLE = 6;
/** On a noisy photo, a fill of more than this share is noise taken for damage. */
export const NOISY_FILL_MAX = 0.01;

export interface RuleInput {
  before: RGBAImage;
  after: RGBAImage;
  /** What the analysis measured and proposed. */
  castRepair: boolean;
  rangeRepair: boolean;
  noiseSigma: number;
  proposed: string[];
  /** Share of pixels the fill changes in the composed photo. */
  fillShare: number;
  /** Fill regions flagged invented that the composed photo applies without the user's OK. */
  inventedApplied: number;
  /** The photo is known to carry physical damage (the fill is expected there). */
  damaged: boolean;
  /** The blur stage's halo/speckle figure, when it ran. */
  halo?: number;
}

export interface RuleReport {
  before: ToneStats;
  after: ToneStats;
  /** Share of pixels newly clipped to black or white. */
  newlyClipped: number;
  /** Share of pixels that gained a colour off the photo's tone (toned) or any colour (grey). */
  newHue: number;
  harms: string[];
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** Chroma of a Lab sample off the hue direction (ux, uy): across it, or against it. */
function offHue(a: number, b: number, ux: number, uy: number): number {
  return Math.max(Math.abs(-a * uy + b * ux), -(a * ux + b * uy));
}

/** Share of sampled pixels whose off-tone chroma (or, for a grey photo, chroma) newly grew. */
export function newHueShare(before: LabSample, after: LabSample, tone: ToneStats): number {
  const grey = !tone.toned;
  const ux = tone.cast > 1e-6 ? tone.meanA / tone.cast : 1, uy = tone.cast > 1e-6 ? tone.meanB / tone.cast : 0;
  let n = 0;
  for (let i = 0; i < before.L.length; i++) {
    const b0 = grey ? Math.hypot(before.a[i], before.b[i]) : offHue(before.a[i], before.b[i], ux, uy);
    const b1 = grey ? Math.hypot(after.a[i], after.b[i]) : offHue(after.a[i], after.b[i], ux, uy);
    if (b1 > NEW_HUE_CHROMA && b1 - b0 >= NEW_HUE_STEP) n++;
  }
  return n / before.L.length;
}

export function checkRules(x: RuleInput): RuleReport {
  const sb = labSample(x.before), sa = labSample(x.after);
  const before = toneStatsOf(sb), after = toneStatsOf(sa);
  const harms: string[] = [];
  const checkTone = before.toned || before.grey;
  const newHue = checkTone ? newHueShare(sb, sa, before) : 0;
  if (before.toned) {
    const dh = hueDistance(before.hue, after.hue);
    if (dh > TONED_HUE_MAX) harms.push(`toned print's hue moved ${r1(dh)}° (max ${TONED_HUE_MAX}°)`);
    if (after.grey) harms.push('toned print neutralised to grey');
    if (newHue > NEW_HUE_MAX) harms.push(`${pct(newHue)} of pixels gained a colour off the tone`);
  } else if (before.grey) {
    if (!after.grey) harms.push(`grey photo gained colour (mean chroma ${r1(before.meanChroma)} -> ${r1(after.meanChroma)})`);
    if (newHue > NEW_HUE_MAX) harms.push(`${pct(newHue)} of pixels of a grey photo gained colour`);
  } else if (!x.castRepair && Math.max(before.cast, after.cast) >= HUE_MIN_CAST) {
    const dh = hueDistance(before.hue, after.hue);
    if (dh > HUE_MAX) harms.push(`overall hue moved ${r1(dh)}° with no cast measured (max ${HUE_MAX}°)`);
  }
  const dL = after.meanL - before.meanL;
  if (Math.abs(dL) > MEAN_L_MAX && !x.rangeRepair) harms.push(`mean L* moved ${r1(dL)} with no faded range measured (max ${MEAN_L_MAX})`);
  const newlyClipped = newlyClippedShare(sb, sa);
  if (newlyClipped > CLIP_MAX) harms.push(`${pct(newlyClipped)} of pixels newly clipped to black or white (max ${pct(CLIP_MAX)})`);
  if (x.halo !== undefined && x.halo > HALO_MAX) harms.push(`blur stage added halo/speckle ${x.halo.toFixed(2)} (max ${HALO_MAX})`);
  const noisy = x.noiseSigma >= NOISE_VISIBLE;
  if (noisy && !x.proposed.includes('denoise')) harms.push(`visible noise (level ${r1(x.noiseSigma)}) but no denoising proposed`);
  if (noisy && x.proposed.includes('deblur')) harms.push(`noisy photo (level ${r1(x.noiseSigma)}) proposed for sharpening`);
  if (noisy && x.fillShare > NOISY_FILL_MAX) harms.push(`noise taken for damage: fill changed ${pct(x.fillShare)}`);
  if (!x.damaged && x.fillShare >= FILL_UNDAMAGED_MAX) harms.push(`fill changed ${pct(x.fillShare)} of an undamaged photo (max ${pct(FILL_UNDAMAGED_MAX)})`);
  if (x.inventedApplied > 0) harms.push(`${x.inventedApplied} invented fill(s) applied without the user's OK`);
  return { before, after, newlyClipped, newHue, harms };
}
