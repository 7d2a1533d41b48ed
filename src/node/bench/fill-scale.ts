/**
 * The fill on the bench photo, whose undamaged original is known (the same photo drawn without its
 * damage): the detector's fill mask (its recall and precision of the damaged pixels), filled at full
 * resolution and filled shrunk (`coarseThin`), each scored by PSNR against the undamaged photo over the
 * mask and over the whole photo, with the fill's time. onnxruntime-node, two threads, int8. `--views N`
 * sets the detector's views (default 4).
 *
 *   npx tsx src/node/bench/fill-scale.ts 5 12 24      # megapixels
 */
import { createService } from '../cli/setup.ts';
import { benchPhoto } from './bench-photo.ts';
import { classifySeeded, damageProbabilities, DETECT_VIEWS, fillMaskOf } from '../../engine/damage/detect.ts';
import { fillMasked } from '../../stages/fill/fill-masked.ts';
import type { RGBAImage } from '../../engine/image.ts';

const args = process.argv.slice(2);
const viewsAt = args.indexOf('--views');
const views = viewsAt >= 0 ? Number(args.splice(viewsAt, 2)[1]) : DETECT_VIEWS;
const service = await createService({ backend: 'node', threads: 2 });
const detector = await service.runner('detect');
const filler = await service.runner('fill');
if (!detector || !filler) throw new Error('the detector and the fill model must ship');

/** PSNR of `img` against `clean` over the pixels where `where` is set (every pixel without it). */
function psnr(img: RGBAImage, clean: RGBAImage, where?: Uint8Array): number {
  let sum = 0, n = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    if (where && !where[i]) continue;
    for (let c = 0; c < 3; c++) sum += (img.data[4 * i + c] - clean.data[4 * i + c]) ** 2;
    n += 3;
  }
  return 10 * Math.log10((255 * 255) / (sum / n));
}

for (const mp of args.map(Number)) {
  const img = benchPhoto(mp, { seed: 1 }), clean = benchPhoto(mp, { seed: 1, damage: 0 });
  const found = classifySeeded(await damageProbabilities(img, detector, {}, views), detector);
  const mask = fillMaskOf(found, img.width, img.height);
  let flagged = 0, damaged = 0, hit = 0;
  for (let i = 0; i < mask.length; i++) {
    const truth = img.data[4 * i] !== clean.data[4 * i] || img.data[4 * i + 1] !== clean.data[4 * i + 1] || img.data[4 * i + 2] !== clean.data[4 * i + 2];
    flagged += mask[i];
    damaged += truth ? 1 : 0;
    hit += truth && mask[i] ? 1 : 0;
  }
  console.log(`${mp} MP ${img.width}x${img.height}, detector ${views} views: fill mask ${(100 * flagged / mask.length).toFixed(2)}% of the photo, recall ${(hit / damaged).toFixed(3)}, precision ${(hit / flagged).toFixed(3)}`);
  console.log(`  damaged: mask ${psnr(img, clean, mask).toFixed(2)} dB, whole ${psnr(img, clean).toFixed(2)} dB`);
  for (const coarseThin of [false, true]) {
    const t = performance.now();
    const out = await fillMasked(img, mask, filler, { coarseThin });
    const s = (performance.now() - t) / 1000;
    console.log(`  ${coarseThin ? 'thin damage shrunk' : 'full resolution  '}: mask ${psnr(out, clean, mask).toFixed(2)} dB, whole ${psnr(out, clean).toFixed(2)} dB, ${s.toFixed(1)} s`);
  }
}
