/**
 * What the colour stage will do to a photo, decided on a thumbnail before any full-resolution
 * pixel is touched, so that it never makes a real print worse:
 *
 * - A toned print (sepia, selenium, gold, cyanotype) or a grey one keeps its tone: only its
 *   luminance is corrected, and every pixel keeps its own chromaticity (`mode: 'tone'`). A toned
 *   print is made grey only when the user asks (`neutralise`).
 * - A colour photo gets the model's (or the classical) correction only where it removes a cast,
 *   that is when it brings the overall colour towards neutral; a correction that turns the
 *   overall colour (a hand-tinted print going green) is kept to its luminance part.
 * - Lifted blacks (a faded print) are brought down with levels on luminance that keep the
 *   median tone and clip almost nothing; a photo whose blacks are not lifted is not faded, even
 *   when it is dark (a low-key photo), and its mean lightness may move only a little.
 */
import { hueDistance, labSample, newlyClippedShare, toneStatsOf, type ToneStats } from '../../engine/analysis/tone.ts';
import { applyColourCorrection, computeColourCorrection } from '../../engine/classical/colour.ts';
import { cloneRGBA, createPlanar, thumbnailPlanar, type RGBAImage } from '../../engine/image.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { applyCurves, predictCurves } from './model-correction.ts';

export type ColourMode = 'tone' | 'colour' | 'neutral';

export interface LumaLevels {
  /** The points the tone curve passes through (luma in -> luma out, 0..1, gamma-encoded Rec.601). */
  points: [number, number][];
  /** The curve sampled at the 256 8-bit levels, 0..1. */
  lut: number[];
}

export interface ColourPlan {
  mode: ColourMode;
  levels?: LumaLevels;
  /** The strength the guards allow (a factor on the user's strength, 0..1). */
  strengthCap: number;
  before: ToneStats;
  /** The thumbnail after the plan at full strength. */
  after: ToneStats;
  /** Lifted blacks: the print is faded and its range is restored. */
  faded: boolean;
  /** The correction moves the overall colour towards neutral: a cast is repaired. */
  castRepair: boolean;
  /** The photo's tone as a unit vector of R, G, B minus luma (tone mode deepens only pixels of this hue). */
  toneRGB?: [number, number, number];
}

export interface PlanOptions {
  /** Make a toned print grey (an explicit choice; never the default). */
  neutralise?: boolean;
}

/** Blacks above this L* (1st percentile) are lifted: the print is faded. */
export const FADED_BLACK_L = 12;
/** Where restored blacks go (L* of the 1st percentile): dark, not crushed. */
export const TARGET_BLACK_L = 6.5;
/** Without a faded range, the mean L* may move by at most this. */
export const MEAN_L_GUARD = 5;
/** Shares of pixels that levels may clip at each end. */
const CLIP_BLACK = 0.002, CLIP_WHITE = 0.002;
/** A cast is measured when the overall colour is at least this chromatic (CIELAB units), and repaired when the correction reduces it. */
const CAST_MIN = 6;
/** A faded print may come out at most this much darker on average (L*): contrast back, not a darker print. */
export const FADED_DARKER_MAX = 15;
/** ...and its 1st percentile no darker than this L* (black, not crushed). */
export const CRUSHED_BLACK_L = 3;
/** Whites (99.8th percentile, luma) under this are dimmed, and lifted to it. */
const DIM_WHITE = 0.8;
/** In tone mode the correction may deepen a pixel's tone at most this many times. */
const TONE_GAIN_MAX = 2;
/** ...and pale it to no less than this share of the chroma it keeps when only its luminance changes. */
const TONE_PALE_MIN = 0.75;
/** A pixel is of the photo's tone when its chroma direction is within about 45 degrees of it. */
const ON_TONE_COS = 0.7;
/** Levels act when the correction leaves the blacks above this L*. */
export const LEVELS_FROM_L = 8;
/** Newly clipped pixels the plan allows (the rule allows 0.5%). */
const CLIP_GUARD = 0.004;

export const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** L* -> gamma-encoded luma of a grey of that lightness (0..1). */
export function lumaOfL(L: number): number {
  const y = L > 8 ? ((L + 16) / 116) ** 3 : L / 903.3;
  return y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
}

function lumaQuantiles(img: RGBAImage, qs: number[]): number[] {
  const hist = new Uint32Array(256);
  const d = img.data;
  for (let p = 0; p < d.length; p += 4) hist[Math.min(255, Math.round(luma(d[p], d[p + 1], d[p + 2])))]++;
  const n = d.length / 4;
  return qs.map((q) => {
    let cum = 0;
    for (let v = 0; v < 256; v++) {
      cum += hist[v];
      if (cum > q * (n - 1)) return v / 255;
    }
    return 1;
  });
}

/** Monotone cubic (Fritsch-Carlson) through increasing points, sampled at the 256 8-bit levels. */
export function monotoneLut(points: [number, number][]): number[] {
  const n = points.length;
  const d = points.slice(1).map(([x, y], i) => (y - points[i][1]) / Math.max(1e-6, x - points[i][0]));
  const m = points.map((_, i) => (i === 0 ? d[0] : i === n - 1 ? d[n - 2] : d[i - 1] * d[i] <= 0 ? 0 : (d[i - 1] + d[i]) / 2));
  for (let i = 0; i < n - 1; i++) {
    if (d[i] === 0) { m[i] = m[i + 1] = 0; continue; }
    const a = m[i] / d[i], b = m[i + 1] / d[i], h = Math.hypot(a, b);
    if (h > 3) { m[i] = (3 * a * d[i]) / h; m[i + 1] = (3 * b * d[i]) / h; }
  }
  return Array.from({ length: 256 }, (_, v) => {
    const x = v / 255;
    let i = 0;
    while (i < n - 2 && x > points[i + 1][0]) i++;
    const [x0, y0] = points[i], [x1, y1] = points[i + 1];
    const hseg = Math.max(1e-6, x1 - x0), t = Math.min(1, Math.max(0, (x - x0) / hseg));
    const t2 = t * t, t3 = t2 * t;
    const y = (2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + t) * hseg * m[i] + (-2 * t3 + 3 * t2) * y1 + (t3 - t2) * hseg * m[i + 1];
    return Math.min(1, Math.max(0, y));
  });
}

/**
 * A tone curve on luminance that brings a faded print's 1st percentile to TARGET_BLACK_L, its
 * lightest 0.2% to white, and keeps its median: contrast returns at both ends without the whole
 * print going darker. At most about CLIP_BLACK of the pixels reach black.
 */
export function fadedLevels(img: RGBAImage): LumaLevels {
  const [q0, p1, median, q1] = lumaQuantiles(img, [CLIP_BLACK, 0.01, 0.5, 1 - CLIP_WHITE]);
  const tb = lumaOfL(TARGET_BLACK_L);
  // Whites are left where they are unless they are dimmed (a faded print's paper gone grey).
  const white = q1 < DIM_WHITE ? Math.max(q1, median + 0.1) : 1;
  const points: [number, number][] = [[0, 0]];
  if (q0 > 0.004 && q0 < p1 - 0.004) points.push([q0, Math.min(tb * 0.3, 0.01)]);
  if (p1 > points[points.length - 1][0] + 0.004) points.push([p1, Math.min(tb, p1)]);
  if (median > p1 + 0.02 && median < white - 0.02) points.push([median, median]);
  if (white < 0.999) points.push([white, DIM_WHITE]);
  points.push([1, 1]);
  return { points, lut: monotoneLut(points) };
}

/**
 * The plan's pixels. `corrected` is the colour correction at full strength (null: none). In colour
 * mode the pixel is the corrected one; in tone mode it keeps its own chromaticity and takes the
 * corrected pixel's luminance (one factor on R, G and B); neutral is that luminance in grey. Levels
 * then act on luminance the same way, and the result is blended with the input by strength.
 * Written into `corrected` when given (each pixel is read before it is written).
 */
export function applyColourPlan(input: RGBAImage, corrected: RGBAImage | null, plan: Pick<ColourPlan, 'mode' | 'levels' | 'strengthCap' | 'toneRGB'>, strength: number, onRows?: (done: number, total: number) => void): RGBAImage {
  const s = Math.min(1, Math.max(0, strength)) * plan.strengthCap;
  const out = corrected ?? cloneRGBA(input);
  const a = input.data, c = (corrected ?? input).data, o = out.data;
  const lut = plan.levels ? Float32Array.from(plan.levels.lut, (v) => v * 255) : undefined;
  const { width: W, height: H } = input;
  // Scales (r, g, b) to the luminance `target`, keeping its chromaticity; a channel that would clip caps the factor.
  const toLuma = (r: number, g: number, b: number, target: number): [number, number, number] => {
    const y = luma(r, g, b);
    if (y <= 0.5) return [target, target, target];
    let k = target / y;
    const max = Math.max(r, g, b);
    if (max * k > 255) k = 255 / max;
    return [r * k, g * k, b * k];
  };
  // The corrected pixel's luminance, and its colour only along the input pixel's own hue: the
  // correction may deepen or pale the tone, never turn it.
  const alongTone = (ir: number, ig: number, ib: number, r: number, g: number, b: number): [number, number, number] => {
    const yi = luma(ir, ig, ib), ym = luma(r, g, b);
    const ci = [ir - yi, ig - yi, ib - yi], n2 = ci[0] ** 2 + ci[1] ** 2 + ci[2] ** 2;
    // A nearly grey pixel's own direction is mostly noise: it keeps its chroma as it is.
    if (n2 < 9) return toLuma(ir, ig, ib, ym);
    // Paling is bounded too: a correction whose colour leaves the tone would otherwise wash it out.
    const kept = (TONE_PALE_MIN * ym) / Math.max(1, yi);
    // Pixels whose own hue is off the photo's tone (the scanner's bed at the edge, a stain) are not deepened.
    const tr = plan.toneRGB, onTone = !tr || (ci[0] * tr[0] + ci[1] * tr[1] + ci[2] * tr[2]) / Math.sqrt(n2) >= ON_TONE_COS;
    const most = onTone ? TONE_GAIN_MAX : Math.max(kept, ym / Math.max(1, yi));
    const t = Math.min(most, Math.max(kept, ((r - ym) * ci[0] + (g - ym) * ci[1] + (b - ym) * ci[2]) / n2));
    return [ym + t * ci[0], ym + t * ci[1], ym + t * ci[2]];
  };
  for (let y = 0; y < H; y++) {
    for (let p = y * W * 4, end = p + W * 4; p < end; p += 4) {
      const ir = a[p], ig = a[p + 1], ib = a[p + 2];
      let r = c[p], g = c[p + 1], b = c[p + 2];
      if (plan.mode === 'neutral') r = g = b = luma(r, g, b);
      else if (plan.mode === 'tone') [r, g, b] = alongTone(ir, ig, ib, r, g, b);
      if (lut) {
        const t = lut[Math.min(255, Math.max(0, Math.round(luma(r, g, b))))];
        if (plan.mode === 'neutral') r = g = b = t;
        else [r, g, b] = toLuma(r, g, b, t);
      }
      o[p] = ir + s * (r - ir);
      o[p + 1] = ig + s * (g - ig);
      o[p + 2] = ib + s * (b - ib);
      o[p + 3] = a[p + 3];
    }
    if (onRows && (y % 256 === 255 || y === H - 1)) onRows(y + 1, H);
  }
  return out;
}

/** The mean of R, G, B minus luma over a photo, as a unit vector (undefined for a grey photo). */
function meanChromaDirection(img: RGBAImage): [number, number, number] | undefined {
  const m = [0, 0, 0];
  const d = img.data;
  for (let p = 0; p < d.length; p += 4) {
    const y = luma(d[p], d[p + 1], d[p + 2]);
    m[0] += d[p] - y; m[1] += d[p + 1] - y; m[2] += d[p + 2] - y;
  }
  const n = Math.hypot(m[0], m[1], m[2]);
  return n > 1e-6 * d.length ? [m[0] / n, m[1] / n, m[2] / n] : undefined;
}

/**
 * Decides the plan on a thumbnail of the photo (`thumb`) and `correct`, the colour correction at
 * full strength of the same thumbnail (the model's or the classical one; null = none).
 */
export function planColour(thumb: RGBAImage, corrected: RGBAImage | null, opts: PlanOptions = {}): ColourPlan {
  const s0 = labSample(thumb);
  const before = toneStatsOf(s0);
  const faded = before.p1L > FADED_BLACK_L;
  let mode: ColourMode = before.grey || before.toned ? (opts.neutralise && before.toned ? 'neutral' : 'tone') : 'colour';
  let castRepair = false;
  if (mode === 'colour') {
    if (!corrected) mode = 'tone';
    else {
      const c = toneStatsOf(labSample(corrected));
      // A measured cast that the correction reduces is repaired; a correction that turns the
      // overall colour of a photo without one (a hand-tinted print going green) keeps only luminance.
      castRepair = before.cast >= CAST_MIN && c.cast < before.cast;
      const turned = Math.max(before.cast, c.cast) >= 3 && hueDistance(before.hue, c.hue) > 10;
      if (turned && !castRepair) mode = 'tone';
    }
  }
  const toneRGB = mode === 'colour' ? undefined : meanChromaDirection(thumb);
  const fresh = () => (corrected ? cloneRGBA(corrected) : null);
  // Levels on luminance bring a faded print's blacks down where the correction left them lifted...
  const base = applyColourPlan(thumb, fresh(), { mode, strengthCap: 1, toneRGB }, 1);
  // ...and lift its whites where the correction left them dimmer than they were.
  const baseStats = toneStatsOf(labSample(base));
  const levels = faded && (baseStats.p1L > LEVELS_FROM_L || baseStats.p99L < before.p99L - 2) ? fadedLevels(base) : undefined;
  const plan: ColourPlan = { mode, levels, strengthCap: 1, before, after: before, faded, castRepair, toneRGB };
  if (!corrected && !levels && mode !== 'neutral') return { ...plan, strengthCap: 0 };
  // Guards, measured on the thumbnail: the lightness of a photo that is not faded, how much darker a
  // faded one gets, and clipping.
  for (let i = 0; i < 6; i++) {
    const s1 = labSample(applyColourPlan(thumb, fresh(), plan, 1));
    plan.after = toneStatsOf(s1);
    const dL = plan.after.meanL - before.meanL;
    let cap = plan.strengthCap;
    if (!faded && Math.abs(dL) > MEAN_L_GUARD) cap *= MEAN_L_GUARD / Math.abs(dL);
    if (faded && -dL > FADED_DARKER_MAX) cap *= FADED_DARKER_MAX / -dL;
    // Restored blacks stop short of crushed: the darkest percent stays above L* 3.
    if (faded && plan.after.p1L < CRUSHED_BLACK_L) cap *= 0.85;
    if (newlyClippedShare(s0, s1) > CLIP_GUARD) cap *= 0.7;
    if (cap === plan.strengthCap) break;
    plan.strengthCap = cap;
  }
  return plan;
}

/** Side of the thumbnail the plan is decided on. */
export const PLAN_SIDE = 384;

/** The colour correction the stage starts from, at full strength: the model's, or the classical levels. */
export interface ColourCorrector {
  method: 'model' | 'classical';
  correct(img: RGBAImage): RGBAImage;
}

/**
 * Every k-th pixel of every k-th row, so the long side is at most `maxSide`: unlike a box-filtered
 * thumbnail it keeps the photo's darkest and lightest pixels, whose share decides the clipping.
 */
export function sampledRGBA(img: RGBAImage, maxSide: number): RGBAImage {
  const k = Math.max(1, Math.ceil(Math.max(img.width, img.height) / maxSide));
  const w = Math.ceil(img.width / k), h = Math.ceil(img.height / k);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(img.data.subarray(((y * k) * img.width + x * k) * 4, ((y * k) * img.width + x * k) * 4 + 4), (y * w + x) * 4);
  return { width: w, height: h, data: out };
}

/** The photo's plan and its thumbnail, before and after the plan at full strength. */
export function planForPhoto(img: RGBAImage, corrector: ColourCorrector, opts: PlanOptions = {}): { plan: ColourPlan; thumb: RGBAImage; after: RGBAImage } {
  const thumb = sampledRGBA(img, PLAN_SIDE);
  const corrected = corrector.correct(thumb);
  const plan = planColour(thumb, corrected, opts);
  const after = applyColourPlan(thumb, cloneRGBA(corrected), plan, 1);
  return { plan, thumb, after };
}

/** Statistics come from a thumbnail: fading is a global property, and this keeps 24 MP photos cheap. */
const STATS_SIDE = 512;

/** The correction the stage starts from: the colour model's curves, or automatic levels and white balance. */
export async function colourCorrector(input: RGBAImage, runner: ModelRunner | null): Promise<ColourCorrector> {
  if (runner) {
    const corr = await predictCurves(input, runner);
    return { method: 'model', correct: (img) => applyCurves(img, corr, 1) };
  }
  const correction = computeColourCorrection(thumbnailPlanar(input, STATS_SIDE));
  // The correction is pointwise per channel and the photo is 8-bit, so a 256-entry table per
  // channel gives exactly what applying it to every pixel would, at a fraction of the cost.
  const ramp = createPlanar(256, 1, 3);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) ramp.data[c * 256 + v] = v / 255;
  const lut = new Uint8ClampedArray(applyColourCorrection(ramp, correction).data.map((v) => v * 255));
  return {
    method: 'classical',
    correct(img) {
      const out = cloneRGBA(img);
      const d = out.data;
      for (let p = 0; p < d.length; p += 4) {
        d[p] = lut[d[p]];
        d[p + 1] = lut[256 + d[p + 1]];
        d[p + 2] = lut[512 + d[p + 2]];
      }
      return out;
    },
  };
}

