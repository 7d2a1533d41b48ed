/**
 * Damage detection: the trained detector (manifest task "detect") where it ships, the
 * classical top-hat detector otherwise. Both give a defect mask, a missing mask and a
 * per-pixel confidence; the fill stage turns them into a damage map (damage-map.ts).
 */
import { createPlanar, type RGBAImage } from '../image.ts';
import { detectDamageClassical, dilate } from '../classical/damage.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import { planarSink, rgbaSource, runTiled, type TiledRunOptions } from '../tiling.ts';
import { modelTileSpec } from '../pipeline/tiled-model.ts';

/** A pixel is damage when the detector's probability of its class reaches this (unless its manifest entry says otherwise). */
export const DEFAULT_DAMAGE_THRESHOLD = 0.5;

export interface DetectedDamage {
  defect: Uint8Array;
  missing: Uint8Array;
  /** Probability of the pixel's class (1 for the classical detector). */
  confidence: Float32Array;
  method: 'model' | 'classical';
}

export interface DetectOptions extends TiledRunOptions {
  threshold?: number;
}

/** The detector's two probability planes (defect, missing) over the whole photo. */
export async function damageProbabilities(img: RGBAImage, runner: ModelRunner, opts: TiledRunOptions = {}) {
  const probs = createPlanar(img.width, img.height, 2);
  await runTiled(rgbaSource(img), modelTileSpec(runner), (t) => runner.run(t), planarSink(probs), opts);
  return probs;
}

export async function detectDamage(img: RGBAImage, runner: ModelRunner | null, opts: DetectOptions = {}): Promise<DetectedDamage> {
  const n = img.width * img.height;
  if (!runner) {
    const { defect, missing } = detectDamageClassical(img);
    return { defect, missing, confidence: new Float32Array(n).fill(1), method: 'classical' };
  }
  const t = opts.threshold ?? runner.entry.threshold ?? DEFAULT_DAMAGE_THRESHOLD;
  const probs = await damageProbabilities(img, runner, opts);
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
  return { defect, missing, confidence, method: 'model' };
}

/**
 * The mask the fill replaces: everything detected, grown by a pixel. The soft, half-covered
 * edge of a scratch or a tear sits just outside the detector's mask and would otherwise
 * stay as a faint line or a pale rim around the filled hole.
 */
export function fillMaskOf(d: Pick<DetectedDamage, 'defect' | 'missing'>, width: number, height: number): Uint8Array {
  const any = d.defect.map((v, i) => v | d.missing[i]);
  return dilate(any, width, height);
}
