/**
 * Evaluation of damage detection and fill on a held-out damaged set written by
 * training/tools/make_damage_set.py (the one damage definition lives in training/;
 * this reads its pixels, it does not re-draw them):
 *   SET/clean, SET/damaged, SET/defect, SET/missing (PNG, same names), SET/set.json.
 *
 * - detect: pixel precision/recall/F1 of `defect`, IoU of `missing`, and false alarms
 *   (share of pixels flagged) on the clean photos, which have no damage.
 * - fill: each method fills the true mask (defect | missing) of the damaged photo; PSNR
 *   over the masked pixels and over the whole photo, SSIM over the whole photo, against
 *   the clean reference. Also the automatic path: detect -> fill, whole-photo PSNR gain.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectDamageClassical, type DamageMasks } from '../../engine/classical/tophat-damage.ts';
import { detectDamage } from '../../engine/damage/detect.ts';
import { fillMasked } from './fill-masked.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';
import { rgbaToPlanar, type RGBAImage } from '../../engine/image.ts';
import { psnr, ssim } from '../../engine/metrics/index.ts';
import { stage as fillStage } from './worker.ts';
import { decodeFile } from '../../node/cli/node-image.ts';
import type { StageContext } from '../../engine/pipeline/stage.ts';
import type { RestorationService } from '../../engine/service/restoration-service.ts';
import { UsageError } from '../../node/cli/setup.ts';
import type { EvalCommand } from '../../node/eval/types.ts';

export interface DamageSetImage {
  name: string;
  clean: RGBAImage;
  damaged: RGBAImage;
  defect: Uint8Array;
  missing: Uint8Array;
}

export interface DamageSet {
  protocol: string;
  seed: number;
  source: string;
  images: DamageSetImage[];
}

async function readMask(path: string): Promise<Uint8Array> {
  const { image } = await decodeFile(path);
  const m = new Uint8Array(image.width * image.height);
  for (let i = 0; i < m.length; i++) m[i] = image.data[i * 4] > 127 ? 1 : 0;
  return m;
}

export async function readDamageSet(dir: string, limit?: number): Promise<DamageSet> {
  const meta = JSON.parse(await readFile(join(dir, 'set.json'), 'utf8')) as { protocol: string; seed: number; source: string; images: { name: string }[] };
  const images: DamageSetImage[] = [];
  for (const { name } of meta.images.slice(0, limit)) {
    images.push({
      name,
      clean: (await decodeFile(join(dir, 'clean', name))).image,
      damaged: (await decodeFile(join(dir, 'damaged', name))).image,
      defect: await readMask(join(dir, 'defect', name)),
      missing: await readMask(join(dir, 'missing', name)),
    });
  }
  return { protocol: meta.protocol, seed: meta.seed, source: meta.source, images };
}

export interface Detector {
  name: string;
  detect(img: RGBAImage): Promise<DamageMasks>;
}

export interface Filler {
  name: string;
  fill(img: RGBAImage, mask: Uint8Array): Promise<RGBAImage>;
}

export const classicalDetector: Detector = { name: 'classical:tophat', detect: async (img) => detectDamageClassical(img) };

/** The trained detector through the engine's tiling, at the default threshold; with `followCracks`, as the fill runs it when the user asks to follow cracks further. */
export function modelDetector(runner: ModelRunner, followCracks = false): Detector {
  return { name: `model:${runner.entry.id}${followCracks ? '+follow-cracks' : ''}`, detect: (img) => detectDamage(img, runner, { followCracks }) };
}

/** `--methods` names for the detect rows: the classical detector, the model, the model following cracks further (off unless named). */
const DETECT_EVAL_PARTS = ['classical', 'model', 'follow'];

/** The engine's fill (crops around each group of damage) with the Telea-style classical method. */
export const teleaFiller: Filler = { name: 'classical:telea', fill: (img, mask) => fillMasked(img, mask, null) };

export function modelFiller(runner: ModelRunner): Filler {
  return { name: `model:${runner.entry.id}`, fill: (img, mask) => fillMasked(img, mask, runner) };
}

/**
 * The app's automatic path: the fill stage given no mask detects the damage, grows the
 * defects by a pixel and fills everything it found. `runner` null = the classical path.
 */
export function automaticPath(name: string, runner: (task: string) => Promise<ModelRunner | null>) {
  const ctx: StageContext = { runner, progress: () => {}, shouldStop: () => false };
  return { name, run: async (img: RGBAImage) => (await fillStage.run(img, { strength: 1 }, ctx)).image };
}

function union(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => (v || b[i] ? 1 : 0));
}

function count(m: Uint8Array): number {
  let n = 0;
  for (const v of m) n += v ? 1 : 0;
  return n;
}

/** PSNR (8-bit images) over the pixels where mask is set, all three channels. */
export function maskedPsnr(a: RGBAImage, b: RGBAImage, mask: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let c = 0; c < 3; c++) {
      const d = a.data[i * 4 + c] - b.data[i * 4 + c];
      se += d * d;
      n++;
    }
  }
  return n === 0 ? NaN : se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

export interface DetectScore {
  defect: { precision: number; recall: number; f1: number };
  missingIoU: number;
  /** Share of pixels of the clean photo flagged as damage of any kind. */
  falseAlarm: number;
  ms: number;
}

/** True and false positives and misses of a predicted mask against the truth (non-zero = set). */
export function counts(pred: Uint8Array, truth: Uint8Array) {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] && truth[i]) tp++;
    else if (pred[i]) fp++;
    else if (truth[i]) fn++;
  }
  return { tp, fp, fn };
}

function prf({ tp, fp, fn }: { tp: number; fp: number; fn: number }) {
  const precision = tp + fp ? tp / (tp + fp) : 1, recall = tp + fn ? tp / (tp + fn) : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

function iou(pred: Uint8Array, truth: Uint8Array): { inter: number; uni: number } {
  let inter = 0, uni = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] && truth[i]) inter++;
    if (pred[i] || truth[i]) uni++;
  }
  return { inter, uni };
}

/** Detection scores, pooled over the set (pixel counts summed, so big photos weigh more). */
export async function evaluateDetector(set: DamageSet, d: Detector) {
  let tp = 0, fp = 0, fn = 0, inter = 0, uni = 0, flagged = 0, pixels = 0, ms = 0;
  const perImage: { name: string; f1: number; missingIoU: number; falseAlarm: number }[] = [];
  for (const im of set.images) {
    const t0 = performance.now();
    const found = await d.detect(im.damaged);
    ms += performance.now() - t0;
    const c = counts(found.defect, im.defect);
    const j = iou(found.missing, im.missing);
    tp += c.tp; fp += c.fp; fn += c.fn; inter += j.inter; uni += j.uni;
    const onClean = await d.detect(im.clean);
    const fa = count(union(onClean.defect, onClean.missing));
    flagged += fa;
    pixels += im.defect.length;
    perImage.push({ name: im.name, f1: prf(c).f1, missingIoU: j.uni ? j.inter / j.uni : NaN, falseAlarm: fa / im.defect.length });
  }
  const score: DetectScore = {
    defect: prf({ tp, fp, fn }),
    missingIoU: uni ? inter / uni : NaN,
    falseAlarm: flagged / pixels,
    ms: ms / set.images.length,
  };
  return { score, perImage };
}

export interface FillScore {
  /** Over the damaged pixels. */
  maskPsnr: number;
  psnr: number;
  ssim: number;
  ms: number;
}

/** Fill of the true masks: mean over images of each score. */
export async function evaluateFiller(set: DamageSet, f: Filler | null) {
  const rows: FillScore[] = [];
  for (const im of set.images) {
    const mask = union(im.defect, im.missing);
    const t0 = performance.now();
    const out = f ? await f.fill(im.damaged, mask) : im.damaged;
    const ms = performance.now() - t0;
    rows.push({ maskPsnr: maskedPsnr(out, im.clean, mask), ...whole(out, im.clean), ms });
  }
  return mean(rows);
}

/** The automatic path (see automaticPath): whole-photo scores, and PSNR inside the true damage. */
export async function evaluateAutomatic(set: DamageSet, path: ReturnType<typeof automaticPath>) {
  const rows: FillScore[] = [];
  for (const im of set.images) {
    const t0 = performance.now();
    const out = await path.run(im.damaged);
    rows.push({ maskPsnr: maskedPsnr(out, im.clean, union(im.defect, im.missing)), ...whole(out, im.clean), ms: performance.now() - t0 });
  }
  return mean(rows);
}

function whole(out: RGBAImage, clean: RGBAImage) {
  const a = rgbaToPlanar(out), b = rgbaToPlanar(clean);
  return { psnr: psnr(a, b), ssim: ssim(a, b) };
}

function mean(rows: FillScore[]): FillScore {
  const avg = (k: keyof FillScore) => {
    const v = rows.map((r) => r[k]).filter((x) => Number.isFinite(x));
    return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
  };
  return { maskPsnr: avg('maskPsnr'), psnr: avg('psnr'), ssim: avg('ssim'), ms: avg('ms') };
}

async function damageEval(
  task: 'detect' | 'fill',
  values: { data?: string; limit?: string; json?: boolean; precision?: string; methods?: string },
  service: RestorationService,
) {
  if (!values.data) throw new UsageError('--data <damaged set folder> is required (training/tools/make_damage_set.py writes one)');
  const set = await readDamageSet(values.data, values.limit ? Number(values.limit) : undefined);
  const runtime = `${service.runtime.info.runtime} (${service.runtime.info.backend}, ${service.runtime.info.threads} threads), precision ${values.precision ?? 'default'}`;
  console.log(`# ${task} on ${values.data}: protocol ${set.protocol}, seed ${set.seed}, ${set.images.length} images from ${set.source}`);
  console.log(`# runtime ${runtime}`);
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const detectRunner = await service.runner('detect');
  const fillRunner = await service.runner('fill');
  const meta = { task, protocol: set.protocol, seed: set.seed, data: values.data, images: set.images.length, runtime: service.runtime.info, precision: values.precision ?? 'default' };
  if (task === 'detect') {
    const wanted = new Set(values.methods ? values.methods.split(',') : ['classical', 'model']);
    const unknown = [...wanted].filter((m) => !DETECT_EVAL_PARTS.includes(m));
    if (unknown.length) throw new UsageError(`unknown --methods for detect: ${unknown.join(', ')} (known: ${DETECT_EVAL_PARTS.join(', ')})`);
    const detectors: Detector[] = [
      ...(wanted.has('classical') ? [classicalDetector] : []),
      ...(detectRunner && wanted.has('model') ? [modelDetector(detectRunner)] : []),
      ...(detectRunner && wanted.has('follow') ? [modelDetector(detectRunner, true)] : []),
    ];
    const all: Record<string, unknown> = {};
    for (const d of detectors) {
      const { score, perImage } = await evaluateDetector(set, d);
      for (const p of perImage) console.log(`${d.name} ${p.name.padEnd(14)} defect F1 ${f(p.f1, 3)}  missing IoU ${f(p.missingIoU, 3)}  false alarms on clean ${(p.falseAlarm * 100).toFixed(3)}%`);
      console.log(`# ${d.name}: defect P ${f(score.defect.precision, 3)} R ${f(score.defect.recall, 3)} F1 ${f(score.defect.f1, 3)}; missing IoU ${f(score.missingIoU, 3)}; false alarms ${(score.falseAlarm * 100).toFixed(3)}% of clean pixels; ${f(score.ms, 0)} ms/image`);
      all[d.name] = score;
    }
    if (values.json) console.log(JSON.stringify({ ...meta, detectors: all }));
    return;
  }
  const fillers: Filler[] = [teleaFiller, ...(fillRunner ? [modelFiller(fillRunner)] : [])];
  const scores: Record<string, Awaited<ReturnType<typeof evaluateFiller>>> = { input: await evaluateFiller(set, null) };
  for (const fl of fillers) scores[fl.name] = await evaluateFiller(set, fl);
  const classicalPath = automaticPath(`auto:${classicalDetector.name}+${teleaFiller.name}`, async () => null);
  scores[classicalPath.name] = await evaluateAutomatic(set, classicalPath);
  if (detectRunner && fillRunner) {
    const modelPath = automaticPath(`auto:model:${detectRunner.entry.id}+model:${fillRunner.entry.id}`, (t) => service.runner(t));
    scores[modelPath.name] = await evaluateAutomatic(set, modelPath);
  }
  console.log('# method (true mask unless auto: = detect -> fill): PSNR inside damage / whole PSNR / whole SSIM / ms');
  for (const [k, v] of Object.entries(scores)) console.log(`#   ${k.padEnd(60)} ${f(v.maskPsnr)}  ${f(v.psnr)}  ${f(v.ssim, 4)}  ${f(v.ms, 0)}`);
  if (values.json) console.log(JSON.stringify({ ...meta, mean: scores }));
}

const DAMAGE_USAGE = 'reads a set written by training/tools/make_damage_set.py; [--limit N] [--precision int8|fp32|fp16] [--json]';
const DETECT_USAGE = `${DAMAGE_USAGE} [--methods ${DETECT_EVAL_PARTS.join(',')}] (default classical,model)`;

/** Detection (defect F1, missing IoU, false alarms on clean) and fill (PSNR inside the damage; also the automatic detect -> fill path). */
export const evals: EvalCommand[] = [
  { task: 'detect', usage: `--task detect --data <damaged set>: ${DETECT_USAGE}`, run: (args, service) => damageEval('detect', args, service) },
  { task: 'fill', usage: `--task fill --data <damaged set>: ${DAMAGE_USAGE}`, run: (args, service) => damageEval('fill', args, service) },
];
