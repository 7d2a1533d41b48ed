import { damageMap } from '../../engine/damage/damage-map.ts';
import { dilate } from '../../engine/classical/tophat-damage.ts';
import { detectDamage, fillMaskOf, type SeenProbabilities } from '../../engine/damage/detect.ts';
import type { ModelEntry } from '../../engine/models/manifest.ts';
import { fillMasked } from './fill-masked.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { damageVerdict, pct, sampleDamage } from './analysis.ts';
import { meta } from './meta.ts';

/**
 * Scratches, dust and missing areas. Given a mask (the user's brush) it fills exactly
 * that. Without one it first finds the damage (the trained detector, or the classical
 * one) and fills all of it; the review then keeps thin defects and asks before keeping
 * the invented content of missing areas. The change map it reports is the damage map
 * (class and confidence per pixel, see engine/damage/damage-map.ts).
 */
export const stage: StageImpl = {
  meta,
  async analyse(image, report, ctx) {
    const detector = await ctx.model('detect');
    if (!detector) return report;
    const sample = await sampleDamage(image, detector);
    if (sample.seen) ctx.keep({ model: detector.entry, seen: sample.seen } satisfies DetectorFinding);
    return { ...report, defects: [...report.defects, damageVerdict(sample, report.measurements.noiseSigma)] };
  },
  async run(input, options, ctx, userMask) {
    const { width, height } = input;
    const n = width * height;
    let mask: Uint8Array;
    let map: Uint8Array;
    let detectedBy: 'model' | 'classical' | undefined;
    let followed: string | undefined;
    if (userMask) {
      if (userMask.length !== n) throw new Error('Fill mask does not match the photo size.');
      mask = userMask.map((v) => (v ? 1 : 0));
      map = damageMap(mask, new Uint8Array(n));
    } else {
      const detector = await ctx.runner('detect');
      const kept = ctx.finding?.value as DetectorFinding | undefined;
      const found = await detectDamage(input, detector, {
        onTile: (d, t) => ctx.progress(d, 2 * t),
        shouldStop: () => ctx.shouldStop(),
        // The analysis' detection of this same photo, by this same model.
        seen: kept && detector && kept.model.id === detector.entry.id && kept.model.version === detector.entry.version ? kept.seen : undefined,
        followCracks: options.followCracks,
      });
      detectedBy = found.method;
      if (found.followed) followed = followedDetail(found.followed, n);
      else if (options.followCracks) followed = 'asked to follow cracks further, which needs the trained detector; the classical one found the damage';
      mask = fillMaskOf(found, width, height);
      // The pixels the growing added take the class and confidence of the damage they border.
      const missing = dilateClass(found.missing, found.defect, width, height);
      const defect = mask.map((v, i) => (v && !missing[i] ? 1 : 0));
      map = damageMap(defect, missing, spreadConfidence(found.confidence, width, height));
    }
    const runner = await ctx.runner('fill');
    const image = await fillMasked(input, mask, runner, {
      onCrop: (d, t) => ctx.progress(userMask ? d : t + d, userMask ? t : 2 * t),
      shouldStop: () => ctx.shouldStop(),
      coarseThin: !userMask,
    });
    return {
      image,
      method: runner ? 'model' : 'classical',
      model: runner ? { id: runner.entry.id, version: runner.entry.version } : undefined,
      mask,
      changeMap: map,
      detectedBy,
      ...(followed ? { detail: followed } : {}),
    };
  },
};

/** What the analysis keeps for the run: the detector's probabilities over the whole photo and which model gave them. */
interface DetectorFinding {
  model: Pick<ModelEntry, 'id' | 'version'>;
  seen: SeenProbabilities;
}

/** What following the cracks further did, for the result's record. */
function followedDetail({ sure, pixels }: { sure: boolean; pixels: number }, n: number): string {
  if (!sure) return 'asked to follow cracks further, but the detector was not sure enough that the photo is damaged, so nothing was added';
  if (!pixels) return 'asked to follow cracks further; no crack went on along a bright line';
  return `the cracks found were followed further along bright lines, as asked: ${pct(pixels / n)} of the photo added`;
}

/** `cls` grown by a pixel into pixels that are not of the other class. */
function dilateClass(cls: Uint8Array, other: Uint8Array, w: number, h: number): Uint8Array {
  const grown = dilate(cls, w, h);
  for (let i = 0; i < grown.length; i++) if (other[i]) grown[i] = cls[i];
  return grown;
}

/** Each pixel's confidence or, where it is 0, the largest of its 8 neighbours'. */
function spreadConfidence(c: Float32Array, w: number, h: number): Float32Array {
  const out = c.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (c[i]) continue;
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) m = Math.max(m, c[yy * w + xx]);
        }
      }
      out[i] = m;
    }
  }
  return out;
}
