/**
 * Evaluation of blur reduction on a held-out set written by training/tools/make_blur_set.py
 * (the one blur definition lives in training/; this reads its pixels):
 * SET/clean, SET/blurred, SET/set.json. PSNR/SSIM against the sharp photo and halo (overshoot past
 * the sharp photo's local range), per method.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rgbaToPlanar, type PlanarImage, type RGBAImage } from '../engine/image.ts';
import { psnr, ssim } from '../engine/metrics/index.ts';
import { standaloneContext } from '../engine/pipeline/stage.ts';
import { rankFilter } from '../engine/classical/damage.ts';
import type { ModelRunner } from '../engine/runtime/model-runner.ts';
import { DEBLUR_VIEWS, stage as sharpenStage, unsharpPath } from '../stages/sharpen/worker.ts';
import { deconvolveShake, findCameraShake, type DeconvolutionPrior } from '../engine/classical/camera-shake.ts';
import { runStageModel } from '../engine/pipeline/stage-model.ts';
import type { ModelViews } from '../engine/pipeline/tiled-model.ts';
import { analyzePhoto, type Verdict } from '../engine/analysis/index.ts';
import { sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict } from '../stages/sharpen/analysis.ts';
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
  return { name, restore: async (img) => (await sharpenStage.run(img, { strength, classical: !runner }, standaloneContext(runner))).image };
}

/** The sharpen stage's classical method (unsharp mask, sigma 1.2) at full strength. */
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

/**
 * Halo / ringing: RMS (8-bit levels) of how far the result overshoots the sharp photo's own local
 * range (its min and max over 5 x 5 px). Sharpening that rings or halos pushes edges past both
 * sides; a faithful result, or the blurred input, stays inside (up to noise).
 */
export function haloRms(out: PlanarImage, clean: PlanarImage, radius = 2): number {
  const { width: w, height: h } = clean, n = w * h;
  let se = 0;
  for (let c = 0; c < 3; c++) {
    const plane = clean.data.subarray(c * n, (c + 1) * n);
    const hi = rankFilter(plane, w, h, 2 * radius + 1, true), lo = rankFilter(plane, w, h, 2 * radius + 1, false);
    for (let i = 0; i < n; i++) {
      const o = out.data[c * n + i];
      const e = Math.max(0, o - hi[i], lo[i] - o) * 255;
      se += e * e;
    }
  }
  return Math.sqrt(se / (3 * n));
}

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
    let report = analyzePhoto(im.blurred);
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
