/**
 * Evaluation of blur reduction on a held-out set written by training/tools/make_blur_set.py
 * (the one blur definition lives in training/; this reads its pixels):
 * SET/clean, SET/blurred, SET/set.json. PSNR/SSIM against the sharp photo and halo (overshoot past
 * the sharp photo's local range), per method.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rgbaToPlanar, type RGBAImage } from '../../engine/image.ts';
import { haloRms, psnr, ssim } from '../../engine/metrics/index.ts';
import { standaloneContext } from '../../engine/pipeline/stage.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { DEBLUR_VIEWS, stage as deblurStage, unsharpPath } from './worker.ts';
import { deconvolveShake, findCameraShake, type DeconvolutionPrior } from '../../engine/classical/camera-shake.ts';
import { runStageModel } from '../../engine/pipeline/stage-model.ts';
import type { ModelViews } from '../../engine/pipeline/tiled-model.ts';
import { analyzePhoto, type Verdict } from '../../engine/analysis/index.ts';
import { sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict } from './analysis.ts';
import { decodeFile } from '../../node/cli/node-image.ts';
import { UsageError } from '../../node/cli/setup.ts';
import type { RestorationService } from '../../engine/service/restoration-service.ts';
import type { EvalCommand } from '../../node/eval/types.ts';

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
  return { name, restore: async (img) => (await deblurStage.run(img, { strength, classical: !runner }, standaloneContext(runner))).image };
}

/** The deblur stage's classical method (unsharp mask, sigma 1.2) at full strength. */
export const classicalUnsharp: DeblurMethod = { name: 'classical:unsharp', restore: (img) => unsharpPath(img, 1, standaloneContext(null)) };

/** Deconvolution by the estimated kernel on every photo (no gate), with `prior`; its time excludes the estimate when a method before it estimated on the same photo. */
function deconvolutionByEstimate(name: string, prior: DeconvolutionPrior): DeblurMethod {
  return {
    name,
    restore: async (img) => {
      const shake = findCameraShake(img);
      return shake ? deconvolveShake(img, shake.kernel, 1, standaloneContext(null), prior) : img;
    },
  };
}

/** The other classical baseline: Wiener deconvolution by the estimated kernel, always. */
export const classicalDeconvolution = deconvolutionByEstimate('classical:wiener-estimate', 'wiener');
/**
 * The stage's own deconvolution (total-variation prior) by the estimated kernel, always: what the
 * gate weighs against the net (training/tools/calibrate_shake_gate.py sets the gate from this row).
 */
export const tvDeconvolution = deconvolutionByEstimate('classical:tv-estimate', 'tv');

/** The app's path at full strength: deconvolution of trusted camera shake, a mix for possible shake, the net otherwise. */
export const modelDeblur = (runner: ModelRunner) => viaStage(`model:${runner.entry.id}`, runner, 1);
/** The blind net alone as the stage runs it (DEBLUR_VIEWS), whatever the estimate says; `views` 1: one view, for comparison. */
export const netOnly = (runner: ModelRunner, views: ModelViews = DEBLUR_VIEWS): DeblurMethod => ({
  name: views === DEBLUR_VIEWS ? `net:${runner.entry.id}` : `net-${views}-view:${runner.entry.id}`,
  restore: async (img) => (await runStageModel(img, 'deblur', 1, standaloneContext(runner), views))!.image,
});


export async function evaluateDeblur(set: BlurSet, method: DeblurMethod | null) {
  const rows: { name: string; psnr: number; ssim: number; halo: number; ms: number }[] = [];
  for (const im of set.images) {
    const t0 = performance.now();
    const out = method ? await method.restore(im.blurred) : im.blurred;
    const ms = performance.now() - t0;
    const a = rgbaToPlanar(out), b = rgbaToPlanar(im.clean);
    rows.push({ name: im.name, psnr: psnr(a, b), ssim: ssim(a, b), halo: haloRms(a, b), ms });
  }
  const avg = (k: 'psnr' | 'ssim' | 'halo' | 'ms') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  return { mean: { psnr: avg('psnr'), ssim: avg('ssim'), halo: avg('halo'), ms: avg('ms') }, rows };
}

/**
 * What the analysis says of each blurred photo (the verdict the app shows, with the deblurring
 * model's judgement where one ships): how many get each verdict, and the median sharpening gain.
 */
export async function blurVerdicts(set: BlurSet, runner: ModelRunner | null) {
  const counts: Partial<Record<Verdict, number>> = {};
  const gains: number[] = [];
  for (const im of set.images) {
    let report = analyzePhoto(im.blurred, [deblurStage]);
    if (runner) {
      const gain = await sharpeningGain(im.blurred, runner);
      gains.push(gain);
      report = withBlurModelVerdict(report, gain);
    }
    report = withCameraShakeVerdict(report, () => findCameraShake(im.blurred));
    const v = report.defects.find((d) => d.defect === 'blur')!.verdict;
    counts[v] = (counts[v] ?? 0) + 1;
  }
  gains.sort((a, b) => a - b);
  return { counts, medianGain: gains.length ? gains[gains.length >> 1] : null };
}

/** Per photo, what the camera-shake estimate found (remembered from the methods' runs), whether it was trusted and how much of the stage's result is deconvolution (`weight`). */
export function shakeChecks(set: BlurSet) {
  return set.images.map((im) => {
    const shake = findCameraShake(im.blurred);
    const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(3)) : null);
    return {
      name: im.name,
      spread: shake ? round(shake.checks.spread) : null,
      elongation: shake ? round(shake.checks.elongation) : null,
      compactness: shake ? round(shake.checks.compactness) : null,
      zerosRatio: shake ? round(shake.checks.zerosRatio) : null,
      lengthPx: shake?.lengthPx ?? null,
      deconvolve: shake?.deconvolve ?? false,
      weight: shake?.weight ?? 0,
    };
  });
}

/** `--methods` names for the deblur rows, in the order they run (the app's path first, see below), and the verdicts. */
const DEBLUR_METHOD_NAMES = ['input', 'unsharp', 'model', 'net', 'net-1-view', 'wiener', 'tv'] as const;
const DEBLUR_EVAL_PARTS: readonly string[] = [...DEBLUR_METHOD_NAMES, 'verdicts'];

async function deblurEval(values: { data?: string; limit?: string; json?: boolean; precision?: string; methods?: string }, service: RestorationService) {
  if (!values.data) throw new UsageError('--data <blurred set folder> is required (training/tools/make_blur_set.py writes one)');
  const wanted = new Set(values.methods ? values.methods.split(',') : DEBLUR_EVAL_PARTS);
  const unknown = [...wanted].filter((m) => !DEBLUR_EVAL_PARTS.includes(m));
  if (unknown.length) throw new UsageError(`unknown --methods for deblur: ${unknown.join(', ')} (known: ${DEBLUR_EVAL_PARTS.join(', ')})`);
  const set = await readBlurSet(values.data, values.limit ? Number(values.limit) : undefined);
  console.log(`# deblur on ${values.data}: ${set.kind} ${set.size}, noise sigma ${set.noise}, seed ${set.seed}, ${set.images.length} images from ${set.source}`);
  const runner = await service.runner('deblur');
  const scores: Record<string, { psnr: number; ssim: number; halo: number; ms: number }> = {};
  const perPhoto: Record<string, Record<string, unknown>> = {};
  // The app's path first, so its time includes the kernel estimate; the ungated deconvolutions
  // after it reuse that estimate.
  type Row = [(typeof DEBLUR_METHOD_NAMES)[number], DeblurMethod | null];
  const modelRows: Row[] = runner ? [['model', modelDeblur(runner)], ['net', netOnly(runner)], ['net-1-view', netOnly(runner, 1)]] : [];
  const methods: Row[] = [['input', null], ['unsharp', classicalUnsharp], ...modelRows, ['wiener', classicalDeconvolution], ['tv', tvDeconvolution]];
  for (const [key, m] of methods) {
    if (!wanted.has(key)) continue;
    const { mean, rows } = await evaluateDeblur(set, m);
    const name = m?.name ?? 'input';
    for (const r of rows) {
      console.log(`${name} ${r.name.padEnd(14)} ${r.psnr.toFixed(2)} / ${r.ssim.toFixed(4)} / halo ${r.halo.toFixed(2)}`);
      ((perPhoto[r.name] ??= {})[name] = Number(r.psnr.toFixed(3)));
    }
    scores[name] = mean;
  }
  console.log('# method: PSNR dB / SSIM / halo (RMS 8-bit levels past the sharp photo\'s local 5x5 range) / ms');
  for (const [k, v] of Object.entries(scores)) console.log(`#   ${k.padEnd(26)} ${v.psnr.toFixed(2)}  ${v.ssim.toFixed(4)}  ${v.halo.toFixed(2)}  ${v.ms.toFixed(0)}`);
  // The estimate's checks only where a row used the estimate (otherwise they would cost a full estimate per photo).
  if (['model', 'wiener', 'tv'].some((m) => wanted.has(m))) {
    const shakes = shakeChecks(set);
    const halfway = shakes.filter((s) => !s.deconvolve && s.weight > 0).length;
    console.log(`# camera-shake estimate trusted (deconvolved instead of the net) on ${shakes.filter((s) => s.deconvolve).length}/${shakes.length} photos, mixed with the net on ${halfway}`);
    for (const sh of shakes) Object.assign((perPhoto[sh.name] ??= {}), sh);
  }
  const analysis = wanted.has('verdicts') ? await blurVerdicts(set, runner) : undefined;
  if (analysis) console.log(`# analysis blur verdicts: ${JSON.stringify(analysis.counts)}${analysis.medianGain === null ? '' : `, median sharpening gain ${analysis.medianGain.toFixed(2)}`}`);
  if (values.json) console.log(JSON.stringify({ task: 'deblur', kind: set.kind, size: set.size, noise: set.noise, seed: set.seed, data: values.data, images: set.images.length, precision: values.precision ?? 'default', mean: scores, analysis, photos: perPhoto }));
}

/** PSNR/SSIM and halo of the blurred input, the unsharp mask, the stage, the net and the ungated deconvolutions; then the analysis' blur verdicts. */
export const evals: EvalCommand[] = [
  {
    task: 'deblur',
    usage: `--task deblur --data <blurred set from training/tools/make_blur_set.py> [--limit N] [--precision P] [--json] [--methods ${DEBLUR_EVAL_PARTS.join(',')}]`,
    run: deblurEval,
  },
];
