/**
 * Evaluation of blur reduction on a held-out set written by training/tools/make_blur_set.py
 * (the one blur definition lives in training/; this reads its pixels):
 * SET/clean, SET/blurred, SET/set.json. PSNR/SSIM against the sharp photo, per method.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rgbaToPlanar, type RGBAImage } from '../engine/image.ts';
import { psnr, ssim } from '../engine/metrics/index.ts';
import type { StageContext } from '../engine/pipeline/stage.ts';
import type { ModelRunner } from '../engine/runtime/model-runner.ts';
import { stage as sharpenStage } from '../stages/sharpen/worker.ts';
import { decodeFile } from '../cli/node-image.ts';

export interface BlurSet {
  kind: string;
  size: number;
  noise: number;
  seed: number;
  source: string;
  images: { name: string; clean: RGBAImage; blurred: RGBAImage }[];
}

export async function readBlurSet(dir: string, limit?: number): Promise<BlurSet> {
  const meta = JSON.parse(await readFile(join(dir, 'set.json'), 'utf8')) as Omit<BlurSet, 'images'> & { images: { name: string }[] };
  const images: BlurSet['images'] = [];
  for (const { name } of meta.images.slice(0, limit)) {
    images.push({ name, clean: (await decodeFile(join(dir, 'clean', name))).image, blurred: (await decodeFile(join(dir, 'blurred', name))).image });
  }
  return { ...meta, images };
}

export interface DeblurMethod {
  name: string;
  restore(img: RGBAImage): Promise<RGBAImage>;
}

function viaStage(name: string, runner: ModelRunner | null, strength: number): DeblurMethod {
  const ctx: StageContext = { runner: async () => runner, progress: () => {}, shouldStop: () => false };
  return { name, restore: async (img) => (await sharpenStage.run(img, { strength, classical: !runner }, ctx)).image };
}

/** The sharpen stage's classical method (unsharp mask, sigma 1.2) at full strength. */
export const classicalUnsharp = viaStage('classical:unsharp', null, 1);
export const modelDeblur = (runner: ModelRunner) => viaStage(`model:${runner.entry.id}`, runner, 1);

export async function evaluateDeblur(set: BlurSet, method: DeblurMethod | null) {
  const rows: { name: string; psnr: number; ssim: number; ms: number }[] = [];
  for (const im of set.images) {
    const t0 = performance.now();
    const out = method ? await method.restore(im.blurred) : im.blurred;
    const ms = performance.now() - t0;
    const a = rgbaToPlanar(out), b = rgbaToPlanar(im.clean);
    rows.push({ name: im.name, psnr: psnr(a, b), ssim: ssim(a, b), ms });
  }
  const avg = (k: 'psnr' | 'ssim' | 'ms') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  return { mean: { psnr: avg('psnr'), ssim: avg('ssim'), ms: avg('ms') }, rows };
}
