/**
 * How much of a real print's hand-marked damage the snapping brush marks when a user brushes
 * roughly along it. The stroke is the hand mask widened by --grow px on each side (a brush a few
 * pixels wider than each crack, following it); the snapped mask (engine/damage/snap.ts, through the
 * service as the app runs it) is scored against the hand mask.
 *
 *   npx tsx src/node/eval/real/snap-check.ts --data ../shared/datasets/real-old [--grow 2,4] [--masks DIR]
 *
 * Per photo with a mask in --masks (default: the committed hand masks) and per --grow: the stroke's
 * share of the photo, the snapped mask's recall and precision against the hand mask, and the share of
 * the stroke left untouched.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeFile } from '../../cli/node-image.ts';
import { createService, runMain, UsageError } from '../../cli/setup.ts';
import { REAL_MASKS_DIR } from './real-bench.ts';

/** `mask` widened by a disc of radius `r` px. */
function widen(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width && dx * dx + dy * dy <= r * r) out[yy * width + xx] = 1;
        }
      }
    }
  }
  return out;
}

async function main() {
  const { values } = parseArgs({ options: { data: { type: 'string' }, masks: { type: 'string' }, grow: { type: 'string', default: '2,4' } } });
  if (!values.data) throw new UsageError('--data <folder of the real photos the masks were drawn on> is required');
  const masks = values.masks ?? REAL_MASKS_DIR;
  const service = await createService({ backend: 'node' });
  for (const file of (await readdir(masks)).filter((f) => f.endsWith('.png')).sort()) {
    const image = (await decodeFile(join(values.data, file))).image;
    const { data } = await sharp(join(masks, file)).greyscale().raw().toBuffer({ resolveWithObject: true });
    const truth = Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
    const { width: W, height: H } = image;
    for (const grow of values.grow!.split(',').map(Number)) {
      const stroke = widen(truth, W, H, grow);
      // The brush is as wide as the stroke: 2 grow + a crack's few pixels.
      const { mask } = await service.snapStroke(image, stroke, Math.max(3, 2 * grow + 3));
      let tp = 0, fp = 0, t = 0, s = 0;
      for (let i = 0; i < truth.length; i++) {
        t += truth[i];
        s += stroke[i];
        if (mask[i]) truth[i] ? tp++ : fp++;
      }
      console.log(
        `${file.padEnd(28)} stroke +${grow} px (${((100 * s) / truth.length).toFixed(1)}% of the photo): ` +
          `recall ${(tp / Math.max(1, t)).toFixed(3)}  precision ${(tp / Math.max(1, tp + fp)).toFixed(3)}  ` +
          `stroke untouched ${((100 * (s - tp - fp)) / Math.max(1, s)).toFixed(1)}%`,
      );
    }
  }
}

runMain(main);
