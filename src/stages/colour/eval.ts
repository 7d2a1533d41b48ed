/**
 * Evaluation of faded-colour repair on a held-out set written by
 * training/tools/make_fading_set.py (the one ageing definition lives in training/;
 * this reads its pixels): SET/clean (the reference), SET/faded, SET/set.json.
 * Score: mean CIEDE2000 to the reference over every pixel, and PSNR, per method.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rgbaToPlanar, type RGBAImage } from '../../engine/image.ts';
import { meanDeltaE00, psnr } from '../../engine/metrics/index.ts';
import { standaloneContext } from '../../engine/pipeline/stage.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { stage as colourStage } from './worker.ts';
import { decodeFile } from '../../node/cli/node-image.ts';
import { UsageError } from '../../node/cli/setup.ts';
import type { RestorationService } from '../../engine/service/restoration-service.ts';
import type { EvalCommand } from '../../node/eval/types.ts';

export interface FadingSet {
  protocol: string;
  seed: number;
  source: string;
  images: { name: string; clean: RGBAImage; faded: RGBAImage; params: Record<string, unknown> }[];
}

export async function readFadingSet(dir: string, limit?: number): Promise<FadingSet> {
  const meta = JSON.parse(await readFile(join(dir, 'set.json'), 'utf8')) as { protocol: string; seed: number; source: string; images: ({ name: string } & Record<string, unknown>)[] };
  const images: FadingSet['images'] = [];
  for (const { name, ...params } of meta.images.slice(0, limit)) {
    images.push({ name, clean: (await decodeFile(join(dir, 'clean', name))).image, faded: (await decodeFile(join(dir, 'faded', name))).image, params });
  }
  return { protocol: meta.protocol, seed: meta.seed, source: meta.source, images };
}

export interface ColourMethod {
  name: string;
  repair(img: RGBAImage): Promise<RGBAImage>;
}

/** The colour stage's classical method: automatic levels and white balance (src/engine/classical/colour.ts). */
export const classicalLevels: ColourMethod = {
  name: 'classical:levels',
  repair: async (img) => (await colourStage.run(img, { strength: 1, classical: true }, standaloneContext(null))).image,
};

/** The colour stage with the shipped model (the app's path). */
export function modelColour(runner: ModelRunner): ColourMethod {
  const ctx = standaloneContext(runner);
  return { name: `model:${runner.entry.id}`, repair: async (img) => (await colourStage.run(img, { strength: 1 }, ctx)).image };
}

export async function evaluateColour(set: FadingSet, method: ColourMethod | null) {
  const rows: { name: string; deltaE00: number; psnr: number; ms: number }[] = [];
  for (const im of set.images) {
    const t0 = performance.now();
    const out = method ? await method.repair(im.faded) : im.faded;
    const ms = performance.now() - t0;
    const a = rgbaToPlanar(out), b = rgbaToPlanar(im.clean);
    rows.push({ name: im.name, deltaE00: meanDeltaE00(a, b), psnr: psnr(a, b), ms });
  }
  const avg = (k: 'deltaE00' | 'psnr' | 'ms') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  return { mean: { deltaE00: avg('deltaE00'), psnr: avg('psnr'), ms: avg('ms') }, rows };
}

async function colourEval(values: { data?: string; limit?: string; json?: boolean; precision?: string }, service: RestorationService) {
  if (!values.data) throw new UsageError('--data <faded set folder> is required (training/tools/make_fading_set.py writes one)');
  const set = await readFadingSet(values.data, values.limit ? Number(values.limit) : undefined);
  console.log(`# colour on ${values.data}: protocol ${set.protocol}, seed ${set.seed}, ${set.images.length} images from ${set.source}`);
  const scores: Record<string, { deltaE00: number; psnr: number; ms: number }> = {};
  const runner = await service.runner('colour');
  for (const m of [null, classicalLevels, ...(runner ? [modelColour(runner)] : [])]) {
    const { mean, rows } = await evaluateColour(set, m);
    const name = m?.name ?? 'input';
    for (const r of rows) console.log(`${name} ${r.name.padEnd(14)} dE00 ${r.deltaE00.toFixed(2)}  PSNR ${r.psnr.toFixed(2)}`);
    scores[name] = mean;
  }
  console.log('# method: mean CIEDE2000 to the reference / PSNR dB / ms');
  for (const [k, v] of Object.entries(scores)) console.log(`#   ${k.padEnd(20)} ${v.deltaE00.toFixed(2)}  ${v.psnr.toFixed(2)}  ${v.ms.toFixed(0)}`);
  if (values.json) console.log(JSON.stringify({ task: 'colour', protocol: set.protocol, seed: set.seed, data: values.data, images: set.images.length, precision: values.precision ?? 'default', mean: scores }));
}

/** Mean CIEDE2000 to the reference (and PSNR) of the faded input, automatic levels and the colour model. */
export const evals: EvalCommand[] = [
  { task: 'colour', usage: '--task colour --data <faded set from training/tools/make_fading_set.py> [--limit N] [--json]', run: colourEval },
];
