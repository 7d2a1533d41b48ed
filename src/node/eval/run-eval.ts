/**
 * Evaluation loop shared by every task: for each photo of a folder (sorted by
 * name), degrade it deterministically, restore it with each method, round to 8
 * bits and score PSNR/SSIM against the clean photo.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { rgbaToPlanar, type PlanarImage } from '../../engine/image.ts';
import { psnr, quantize8, ssim } from '../../engine/metrics/index.ts';
import { decodeFile } from '../cli/node-image.ts';
import { UsageError } from '../cli/setup.ts';
import type { EvalCommand, EvalTask, EvalTaskOptions } from './types.ts';

export interface ImageScore {
  image: string;
  width: number;
  height: number;
  scores: Record<string, { psnr: number; ssim: number; ms: number }>;
}

export interface EvalSummary {
  task: string;
  protocol: string;
  degradation: string;
  data: string;
  images: number;
  sigma: number;
  seed: number;
  mean: Record<string, { psnr: number; ssim: number; ms: number }>;
}

const PHOTO_EXT = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp']);

export async function listPhotos(dir: string, limit?: number): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => PHOTO_EXT.has(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new Error(`no photos in ${dir}`);
  return limit ? files.slice(0, limit) : files;
}

export async function runEval(
  task: EvalTask,
  dataDir: string,
  opts: EvalTaskOptions & { limit?: number; methods?: string[]; onImage?: (s: ImageScore) => void },
): Promise<{ perImage: ImageScore[]; summary: EvalSummary }> {
  const files = await listPhotos(dataDir, opts.limit);
  // --methods keeps the named ones: 'model' matches any model, 'nlm' matches 'classical:nlm'.
  const methods = (await task.methods(opts)).filter(
    (m) => !opts.methods || opts.methods.some((k) => m.name === k || m.name.split(':')[0] === k || m.name.split(':')[1] === k),
  );
  const perImage: ImageScore[] = [];
  for (const [index, file] of files.entries()) {
    const clean = rgbaToPlanar((await decodeFile(join(dataDir, file))).image);
    const degraded = await task.degrade(clean, index, opts);
    const score: ImageScore = { image: file, width: clean.width, height: clean.height, scores: {} };
    score.scores.input = metrics(quantize8(degraded), clean, 0);
    for (const m of methods) {
      const t0 = performance.now();
      const out = await m.restore(degraded, clean);
      score.scores[m.name] = metrics(quantize8(out), clean, performance.now() - t0);
    }
    perImage.push(score);
    opts.onImage?.(score);
  }
  const names = Object.keys(perImage[0].scores);
  const mean: EvalSummary['mean'] = {};
  for (const n of names) {
    const avg = (k: 'psnr' | 'ssim' | 'ms') => perImage.reduce((s, p) => s + p.scores[n][k], 0) / perImage.length;
    mean[n] = { psnr: round(avg('psnr'), 3), ssim: round(avg('ssim'), 4), ms: round(avg('ms'), 0) };
  }
  return {
    perImage,
    summary: {
      task: task.name,
      protocol: opts.protocol,
      degradation: task.describe(opts),
      data: dataDir,
      images: perImage.length,
      sigma: opts.sigma,
      seed: opts.seed,
      mean,
    },
  };
}

function metrics(out: PlanarImage, clean: PlanarImage, ms: number) {
  return { psnr: psnr(out, clean), ssim: ssim(out, clean), ms };
}

function round(x: number, d: number) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** The command for a task with a synthetic degradation (`EvalTask`): per-photo and mean PSNR/SSIM of each method. */
export function degradationEval(task: EvalTask, usage: string): EvalCommand {
  return {
    task: task.name,
    usage,
    async run(values, service) {
      if (!values.data) throw new UsageError('--data <folder> is required');
      const opts = {
        sigma: Number(values.sigma),
        seed: Number(values.seed),
        protocol: values.protocol!,
        service,
        limit: values.limit ? Number(values.limit) : undefined,
        methods: values.methods?.split(','),
      };
      console.log(`# ${task.name} on ${values.data}: ${task.describe(opts)}`);
      console.log(`# runtime ${service.runtime.info.runtime} (${service.runtime.info.backend}, ${service.runtime.info.threads} threads), precision ${values.precision ?? 'default'}`);
      const { summary } = await runEval(task, values.data, {
        ...opts,
        onImage: (s) =>
          console.log(
            `${s.image.padEnd(14)} ` +
              Object.entries(s.scores)
                .map(([k, v]) => `${k} ${v.psnr.toFixed(2)}/${v.ssim.toFixed(4)}`)
                .join('  '),
          ),
      });
      console.log(`# mean over ${summary.images} images (PSNR dB / SSIM / ms per image):`);
      for (const [k, v] of Object.entries(summary.mean)) console.log(`#   ${k.padEnd(34)} ${v.psnr.toFixed(2)}  ${v.ssim.toFixed(4)}  ${v.ms}`);
      if (values.json) console.log(JSON.stringify({ ...summary, runtime: service.runtime.info, precision: values.precision ?? 'default' }));
    },
  };
}
