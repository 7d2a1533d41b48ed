/**
 * The detector on the bench photo, whose damage is known (the same photo drawn without it): the fill
 * mask's recall and precision, and the detector's time, with the photo as it is and shrunk as the
 * engine shrinks it (DETECT_MAX_SIDE). onnxruntime-node, one thread, int8, 4 views. Then the engine's
 * detection as the fill runs it, without and with "Follow cracks further" (follow-cracks.ts): what the
 * option adds to the fill mask and what it costs.
 *
 *   npx tsx src/node/bench/detect-scale.ts 3 12      # megapixels
 */
import { createService } from '../cli/setup.ts';
import { benchPhoto } from './bench-photo.ts';
import { classifyDamage, damageProbabilities, detectDamage, detectShrink, fillMaskOf, type DetectedDamage } from '../../engine/damage/detect.ts';
const service = await createService({ backend: 'node', threads: 1 });
const runner = await service.runner('detect');
if (!runner) throw new Error('no detector ships');
for (const mp of process.argv.slice(2).map(Number)) {
  const img = benchPhoto(mp, { seed: 1 }), clean = benchPhoto(mp, { seed: 1, damage: 0 });
  const n = img.width * img.height, truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) truth[i] = img.data[4 * i] !== clean.data[4 * i] || img.data[4 * i + 1] !== clean.data[4 * i + 1] ? 1 : 0;
  const tn = truth.reduce((a, v) => a + v, 0);
  const report = (what: string, d: Pick<DetectedDamage, 'defect' | 'missing'>, ms: number) => {
    const found = fillMaskOf(d, img.width, img.height);
    let tp = 0, f = 0;
    for (let i = 0; i < n; i++) { f += found[i]; tp += found[i] & truth[i]; }
    console.log(`${mp} MP ${img.width}x${img.height} ${what}: fill-mask recall ${(tp / tn).toFixed(3)} precision ${(tp / f).toFixed(3)} (damage ${(100 * tn / n).toFixed(2)}%, flagged ${(100 * f / n).toFixed(2)}%) ${(ms / 1000).toFixed(1)} s`);
  };
  for (const shrink of [1, detectShrink(img.width, img.height)]) {
    const t = performance.now();
    const d = classifyDamage(await damageProbabilities(img, runner, {}, 4, shrink), runner.entry.threshold ?? 0.5);
    report(`shrink ${shrink}`, d, performance.now() - t);
  }
  for (const followCracks of [false, true]) {
    const t = performance.now();
    const d = await detectDamage(img, runner, { followCracks });
    report(followCracks ? `following cracks (${d.followed?.sure ? 'sure' : 'not sure'} of the damage)` : 'as the fill runs it', d, performance.now() - t);
  }
}
