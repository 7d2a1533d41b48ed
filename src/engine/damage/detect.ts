/**
 * Damage detection: the trained detector (manifest task "detect") where it ships, the
 * classical top-hat detector otherwise. Both give a defect mask, a missing mask and a
 * per-pixel confidence; the fill stage turns them into a damage map (damage-map.ts).
 */
import { createPlanar, enlargeAxis, planarToRGBA, shrinkPlanar, type PlanarImage, type RGBAImage } from '../image.ts';
import { detectDamageClassical, dilate } from '../classical/tophat-damage.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import { rgbaSource, runTiled, type RowSink, type TiledRunOptions } from '../tiling.ts';
import { modelTileSpec } from '../pipeline/tiled-model.ts';
import { maskRegions } from '../mask-regions.ts';
import { followCracks } from './follow-cracks.ts';
import SHARED from '../shared-constants.json';

/** A pixel is damage when the detector's probability of its class reaches this (unless its manifest entry says otherwise). */
export const DEFAULT_DAMAGE_THRESHOLD = 0.5;

export interface DetectedDamage {
  defect: Uint8Array;
  missing: Uint8Array;
  /** Probability of the pixel's class (1 for the classical detector). */
  confidence: Float32Array;
  method: 'model' | 'classical';
  /** With `followCracks`: whether the detector was sure enough of the damage to follow it, and how many pixels that added. */
  followed?: { sure: boolean; pixels: number };
}

export interface DetectOptions extends TiledRunOptions {
  threshold?: number;
  /** Hysteresis: a group of damage is kept only if one of its pixels reaches this (default: the manifest's). */
  seedThreshold?: number;
  /** The detector's probabilities for this very photo, already computed (the analysis keeps them): the model is not run again. */
  seen?: SeenProbabilities;
  /** Follow the defects found along bright thin lines (follow-cracks.ts): asked for by the user, never by default. */
  followCracks?: boolean;
}

/** The detector's two probability planes at the scale it saw the photo (`detectShrink`), not yet enlarged back. */
export interface SeenProbabilities {
  probabilities: PlanarImage;
  shrink: number;
  /** How many views they average, the first of the DETECT_VIEWS (`withAllViews` adds the rest). */
  views: number;
}

/**
 * The detector sees the photo as it is and mirrored (left-right, top-bottom, both) and its four
 * probability maps are averaged, unmirrored. Its false alarms are crisp natural lines that one view
 * rates just over the threshold and the others do not: on the held-out photos about half the false
 * alarms go and F1 rises a little, for 4x the detector's time (training/tools/detector_threshold.py
 * --views 1 | 4; numbers in docs/models/detect.md). The manifest's threshold is picked for this
 * average (detector_threshold.py's default, --views 4).
 */
export const DETECT_VIEWS: number = SHARED.detectViews;

/** Adds `weight` x a mirrored view's finished rows into `out` where they belong unmirrored. */
function unmirroredSink(out: PlanarImage, view: number, weight: number): RowSink {
  const { width: W, height: H } = out;
  return (y, rows, band) => {
    for (let c = 0; c < out.channels; c++) {
      for (let r = 0; r < rows; r++) {
        const src = c * band.width * rows + r * band.width;
        const dst = c * W * H + (view & 2 ? H - 1 - (y + r) : y + r) * W;
        for (let x = 0; x < W; x++) out.data[dst + (view & 1 ? W - 1 - x : x)] += weight * band.data[src + x];
      }
    }
  };
}

/**
 * The longest side at which the detector sees a photo. It learnt damage as it looks on photos of
 * 320-800 px; a scan of many megapixels shows the same print's cracks and specks several times as
 * wide, and at full resolution the detector misses them: on CBSD68's mixed set enlarged 2x, defect-or-
 * missing F1 0.560 at full resolution against 0.696 shrunk back by 2 (training/tools/detector_scale_study.py,
 * docs/models/detect.md). A larger photo is shrunk by the smallest whole factor that brings it to this
 * (a box filter) and the probabilities are enlarged back; that also keeps the detector's time the same
 * from a few megapixels up (a 12 MP scan is seen at 1414 x 943).
 */
export const DETECT_MAX_SIDE = 1600;

/** The whole factor by which the detector sees a photo of this size shrunk (1: as it is). */
export function detectShrink(width: number, height: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / DETECT_MAX_SIDE));
}

/**
 * The detector's two probability planes (defect, missing) over the whole photo, averaged over `views`,
 * at the photo's resolution; computed on the photo shrunk by `shrink` (default: `detectShrink`).
 */
export async function damageProbabilities(img: RGBAImage, runner: ModelRunner, opts: TiledRunOptions = {}, views = DETECT_VIEWS, shrink = detectShrink(img.width, img.height)) {
  return atPhotoScale(await probabilitiesOfSeen(seenPhoto(img, shrink), shrink, runner, opts, views), img.width, img.height);
}

/** The photo as the detector sees it: shrunk by `shrink` (a box filter), or as it is. */
export function seenPhoto(img: RGBAImage, shrink = detectShrink(img.width, img.height)): RGBAImage {
  return shrink > 1 ? planarToRGBA(shrinkPlanar(img, shrink)) : img;
}

/** The detector's probabilities, averaged over `views`, on a photo already shrunk by `shrink` (`seenPhoto`). */
export async function probabilitiesOfSeen(seen: RGBAImage, shrink: number, runner: ModelRunner, opts: TiledRunOptions = {}, views = DETECT_VIEWS): Promise<SeenProbabilities> {
  return { probabilities: await probabilitiesAsItIs(seen, runner, opts, views), shrink, views };
}

/**
 * `found` (probabilities of the photo `img`, as `probabilitiesOfSeen` gave them over its first views)
 * completed to all DETECT_VIEWS: the views it lacks are run and averaged in, so the result is what
 * the detector gives with every view, up to rounding.
 */
export async function withAllViews(found: SeenProbabilities, img: RGBAImage, runner: ModelRunner, opts: TiledRunOptions = {}): Promise<SeenProbabilities> {
  if (found.views >= DETECT_VIEWS) return found;
  const probs = createPlanar(found.probabilities.width, found.probabilities.height, found.probabilities.channels);
  for (let i = 0; i < probs.data.length; i++) probs.data[i] = (found.probabilities.data[i] * found.views) / DETECT_VIEWS;
  await addViews(probs, seenPhoto(img, found.shrink), runner, opts, found.views, DETECT_VIEWS, DETECT_VIEWS);
  return { probabilities: probs, shrink: found.shrink, views: DETECT_VIEWS };
}

/** Seen probabilities enlarged back to a `width` x `height` photo; they must have been computed on a photo of that size. */
export function atPhotoScale(seen: SeenProbabilities, width: number, height: number): PlanarImage {
  const { probabilities: p, shrink } = seen;
  if (p.width !== Math.max(1, Math.floor(width / shrink)) || p.height !== Math.max(1, Math.floor(height / shrink))) {
    throw new Error(`Damage probabilities of ${p.width} x ${p.height} (shrunk ${shrink}x) do not belong to a ${width} x ${height} photo.`);
  }
  return shrink > 1 ? enlargeProbabilities(p, shrink, width, height) : p;
}

/**
 * Bilinear enlargement by a whole factor, pixel centres aligned (a shrunk pixel covers `f` x `f` photo
 * pixels from the top left; the photo's last partial block reads the last row or column). The study
 * tool's `enlarge` (training/tools/detector_scale_study.py) does the same; no fixture holds them together.
 */
export function enlargeProbabilities(p: PlanarImage, f: number, width: number, height: number): PlanarImage {
  const out = createPlanar(width, height, p.channels);
  const w = p.width, h = p.height;
  const { lo: x0, hi: x1, t: tx } = enlargeAxis(width, w, f);
  for (let y = 0; y < height; y++) {
    const v = Math.min(h - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.floor(v), y1 = Math.min(h - 1, y0 + 1), ty = v - y0;
    for (let c = 0; c < p.channels; c++) {
      const a = c * w * h + y0 * w, b = c * w * h + y1 * w, o = c * width * height + y * width;
      for (let x = 0; x < width; x++) {
        const top = p.data[a + x0[x]] * (1 - tx[x]) + p.data[a + x1[x]] * tx[x];
        const bottom = p.data[b + x0[x]] * (1 - tx[x]) + p.data[b + x1[x]] * tx[x];
        out.data[o + x] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

/**
 * On the CPU a photo with no more pixels than a tile runs as one tile, whatever its shape: a 12 MP scan
 * seen at 1414 x 943 would otherwise be two tiles, each recomputing the other's 80 px overlap. On a
 * GPU memory is the limit, so its tile stays.
 */
function detectorTileSpec(img: RGBAImage, runner: ModelRunner) {
  const tile = modelTileSpec(runner);
  return !runner.onGpu && img.width * img.height <= tile.tile ** 2 ? { ...tile, tile: Math.max(img.width, img.height) } : tile;
}

async function probabilitiesAsItIs(img: RGBAImage, runner: ModelRunner, opts: TiledRunOptions, views: number) {
  const probs = createPlanar(img.width, img.height, 2);
  await addViews(probs, img, runner, opts, 0, views, views);
  return probs;
}

/** Adds views [from, to) of the detector on `img` into `probs`, each weighted 1 / `of`. */
async function addViews(probs: PlanarImage, img: RGBAImage, runner: ModelRunner, opts: TiledRunOptions, from: number, to: number, of: number) {
  const spec = detectorTileSpec(img, runner);
  for (let v = from; v < to; v++) {
    const onTile = opts.onTile && ((done: number, total: number) => opts.onTile!((v - from) * total + done, (to - from) * total));
    await runTiled(rgbaSource(img, v), spec, (t) => runner.run(t), unmirroredSink(probs, v, 1 / of), { ...opts, onTile });
  }
}

export async function detectDamage(img: RGBAImage, runner: ModelRunner | null, opts: DetectOptions = {}): Promise<DetectedDamage> {
  const n = img.width * img.height;
  if (!runner) {
    const { defect, missing } = detectDamageClassical(img);
    return { defect, missing, confidence: new Float32Array(n).fill(1), method: 'classical' };
  }
  // The photo as the detector sees it, shrunk once, for the detector and for following cracks.
  const photo = opts.seen ? undefined : seenPhoto(img);
  const seen = opts.seen ? await withAllViews(opts.seen, img, runner, opts) : await probabilitiesOfSeen(photo!, detectShrink(img.width, img.height), runner, opts);
  const found = classifySeeded(atPhotoScale(seen, img.width, img.height), runner, opts);
  const followed = opts.followCracks ? addFollowedCracks(found, img, photo ?? seenPhoto(img, seen.shrink), seen, runner, opts) : undefined;
  return { ...found, method: 'model', ...(followed !== undefined ? { followed } : {}) };
}

/**
 * `found` (at the photo's size) with the cracks followed further (follow-cracks.ts) on `photo`, the photo
 * as the detector saw it: on a shrunk scan each added pixel of the seen photo adds its whole block.
 */
function addFollowedCracks(found: Omit<DetectedDamage, 'method'>, img: RGBAImage, photo: RGBAImage, seen: SeenProbabilities, runner: ModelRunner, opts: DetectOptions) {
  const f = seen.shrink, p = seen.probabilities;
  const atSeen = f > 1 ? classifySeeded(p, runner, opts) : found;
  const { added, confidence, sure } = followCracks(photo, p, atSeen);
  let n = 0;
  for (let y = 0; y < img.height; y++) {
    const sy = Math.min(p.height - 1, Math.floor(y / f));
    for (let x = 0; x < img.width; x++) {
      const s = sy * p.width + Math.min(p.width - 1, Math.floor(x / f)), i = y * img.width + x;
      if (!added[s] || found.defect[i] || found.missing[i]) continue;
      found.defect[i] = 1;
      found.confidence[i] = confidence[s];
      n++;
    }
  }
  return { sure, pixels: n };
}

/** `classifyDamage` at the detector's threshold, then its hysteresis (`keepSeededGroups`), both as the model's entry sets them. */
export function classifySeeded(probs: PlanarImage, runner: ModelRunner, opts: Pick<DetectOptions, 'threshold' | 'seedThreshold'> = {}): Omit<DetectedDamage, 'method'> {
  const t = opts.threshold ?? runner.entry.threshold ?? DEFAULT_DAMAGE_THRESHOLD;
  const found = classifyDamage(probs, t);
  const seed = opts.seedThreshold ?? runner.entry.seedThreshold ?? t;
  if (seed > t) keepSeededGroups(found.defect, found.missing, found.confidence, probs.width, probs.height, seed);
  return found;
}

/**
 * The class of each pixel from the detector's two planes: missing where its probability reaches the
 * threshold and beats the defect's, defect where the defect's reaches it otherwise. Python twin:
 * classify_damage in training/heirloom_train/tasks.py (tests/unit/engine-twins.test.ts).
 */
export function classifyDamage(probs: PlanarImage, t: number): Omit<DetectedDamage, 'method'> {
  const n = probs.width * probs.height;
  const defect = new Uint8Array(n), missing = new Uint8Array(n), confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pd = probs.data[i], pm = probs.data[n + i];
    if (pm >= t && pm >= pd) {
      missing[i] = 1;
      confidence[i] = pm;
    } else if (pd >= t) {
      defect[i] = 1;
      confidence[i] = pd;
    }
  }
  return { defect, missing, confidence };
}

/**
 * Hysteresis, as in Canny's edge detector: of the damage found at the threshold, only the connected
 * groups (either class, 8-connected) holding a pixel at `seed` or more stay. A scratch's faint stretches
 * ride on its confident ones; a doubtful lone line or speck, the detector's usual false alarm on an
 * undamaged photo, goes. Python reference: classify_damage_hysteresis in training/heirloom_train/tasks.py,
 * whose pairs training/tools/detector_threshold.py --hysteresis searches on held-out photos.
 */
function keepSeededGroups(defect: Uint8Array, missing: Uint8Array, confidence: Float32Array, width: number, height: number, seed: number) {
  const found = anyDamage(defect, missing);
  const labels = new Int32Array(found.length);
  const groups = maskRegions(found, width, height, labels).length;
  const seeded = new Uint8Array(groups + 1);
  for (let i = 0; i < found.length; i++) if (found[i] && confidence[i] >= seed) seeded[labels[i]] = 1;
  for (let i = 0; i < found.length; i++) {
    if (!found[i] || seeded[labels[i]]) continue;
    defect[i] = missing[i] = 0;
    confidence[i] = 0;
  }
}

/**
 * The mask the fill replaces: everything detected, grown by a pixel. The soft, half-covered
 * edge of a scratch or a tear sits just outside the detector's mask and would otherwise
 * stay as a faint line or a pale rim around the filled hole.
 */
export function fillMaskOf(d: Pick<DetectedDamage, 'defect' | 'missing'>, width: number, height: number): Uint8Array {
  return dilate(anyDamage(d.defect, d.missing), width, height);
}

/** Pixels of either class. */
function anyDamage(defect: Uint8Array, missing: Uint8Array): Uint8Array {
  return defect.map((v, i) => v | missing[i]);
}
