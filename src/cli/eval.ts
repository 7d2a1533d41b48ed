/**
 * npm run eval -- --task denoise --data <folder> [--sigma 25] [--seed 0] [--limit N]
 *                 [--protocol standard|realistic] [--backend node|wasm] [--precision int8|fp32]
 *                 [--methods model,nlm,bilateral] [--json]
 *
 * Degrades each photo with the task's synthetic degradation (deterministic per
 * seed), restores it through the shipped model and the engine's tiling, and
 * prints per-image and mean PSNR/SSIM for the model and each classical baseline.
 * With --json the last line is one JSON object with the means.
 *
 * npm run eval -- --task detect|fill --data <damaged set> [--limit N] [--backend node|wasm]
 *                 [--precision int8|fp32|fp16] [--json]
 *
 * Damage tasks read a set written by training/tools/make_damage_set.py (see
 * src/eval/damage-eval.ts) and score detection (F1, IoU, false alarms) or fill
 * (PSNR inside the damage, whole-photo PSNR/SSIM) for the shipped model and the
 * classical baseline; fill also scores the automatic path (detect -> fill), as the
 * app runs it.
 *
 * npm run eval -- --task deblur --data <blurred set> [--limit N] [--precision P] [--json]
 *                 [--methods input,unsharp,model,net,net-1-view,wiener,tv]
 *
 * Reads a set written by training/tools/make_blur_set.py: PSNR/SSIM and halo of the blurred
 * input, the classical unsharp mask and the deblurring model once one ships; then the blur
 * verdicts the analysis gives the blurred photos. --methods keeps only those rows (and skips the
 * verdicts unless it names `verdicts`): a candidate model's check needs the stage and the net,
 * not the ungated deconvolutions, which take most of a full run's time.
 *
 * npm run eval -- --task colour --data <faded set> [--limit N] [--json]
 *
 * Reads a set written by training/tools/make_fading_set.py and scores each method by
 * mean CIEDE2000 to the reference (and PSNR): the faded input, the classical automatic
 * levels / white balance, and the colour model once one ships.
 *
 * npm run eval -- --task real --data <folder of real photos> --out <folder> [--masks DIR] [--limit N] [--json]
 *
 * The real-photo bench (src/eval/real/): the automatic path as the app runs it on each photo,
 * a contact sheet per photo and an overview sheet in --out, a row per photo with the
 * do-no-harm figures and a HARM flag with its reasons; the last line is one JSON object.
 */
import { parseArgs } from 'node:util';
import {
  automaticPath, classicalDetector, evaluateAutomatic, evaluateDetector, evaluateFiller, modelDetector, modelFiller, readDamageSet, teleaFiller,
  type Detector, type Filler,
} from '../eval/damage-eval.ts';
import { blurVerdicts, classicalDeconvolution, classicalUnsharp, evaluateDeblur, modelDeblur, netOnly, readBlurSet, shakeChecks, tvDeconvolution, type DeblurMethod } from '../eval/blur-eval.ts';
import { classicalLevels, evaluateColour, modelColour, readFadingSet } from '../eval/fading-eval.ts';
import { runEval } from '../eval/run-eval.ts';
import { formatRow, runRealBench } from '../eval/real/bench.ts';
import { EVAL_TASKS } from '../eval/tasks/index.ts';
import { createService, runMain, UsageError } from './setup.ts';

async function main() {
  const { values } = parseArgs({
    options: {
      task: { type: 'string' },
      data: { type: 'string' },
      sigma: { type: 'string', default: '25' },
      seed: { type: 'string', default: '0' },
      limit: { type: 'string' },
      protocol: { type: 'string', default: 'standard' },
      backend: { type: 'string', default: 'node' },
      precision: { type: 'string' },
      model: { type: 'string' },
      models: { type: 'string' },
      methods: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      masks: { type: 'string' },
    },
  });
  if (values.task === 'real') return realEval(values, await createService(values));
  if (values.task === 'detect' || values.task === 'fill') return damageEval(values.task, values, await createService(values));
  if (values.task === 'colour') return colourEval(values, await createService(values));
  if (values.task === 'deblur') return deblurEval(values, await createService(values));
  const task = EVAL_TASKS[values.task ?? ''];
  if (!task) throw new UsageError(`--task must be one of: ${[...Object.keys(EVAL_TASKS), 'detect', 'fill', 'colour', 'deblur', 'real'].join(', ')}`);
  if (!values.data) throw new UsageError('--data <folder> is required');
  const service = await createService(values);
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
}

async function damageEval(
  task: 'detect' | 'fill',
  values: { data?: string; limit?: string; json?: boolean; precision?: string },
  service: Awaited<ReturnType<typeof createService>>,
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
    const detectors: Detector[] = [classicalDetector, ...(detectRunner ? [modelDetector(detectRunner)] : [])];
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

async function colourEval(values: { data?: string; limit?: string; json?: boolean; precision?: string }, service: Awaited<ReturnType<typeof createService>>) {
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

/** `--methods` names for the deblur rows, in the order they run (the app's path first, see below), and the verdicts. */
const DEBLUR_METHOD_NAMES = ['input', 'unsharp', 'model', 'net', 'net-1-view', 'wiener', 'tv'] as const;
const DEBLUR_EVAL_PARTS: readonly string[] = [...DEBLUR_METHOD_NAMES, 'verdicts'];

async function deblurEval(values: { data?: string; limit?: string; json?: boolean; precision?: string; methods?: string }, service: Awaited<ReturnType<typeof createService>>) {
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

runMain(main);

async function realEval(
  values: { data?: string; out?: string; masks?: string; limit?: string; json?: boolean; precision?: string },
  service: Awaited<ReturnType<typeof createService>>,
) {
  if (!values.data || !values.out) throw new UsageError('--task real needs --data <folder of photos> and --out <folder for the contact sheets>');
  console.log(`# real-photo bench on ${values.data}: runtime ${service.runtime.info.runtime} (${service.runtime.info.backend}), precision ${values.precision ?? 'default'}; sheets in ${values.out}`);
  const { summary } = await runRealBench(service, {
    data: values.data,
    out: values.out,
    masks: values.masks,
    limit: values.limit ? Number(values.limit) : undefined,
    onRow: (r) => console.log(formatRow(r)),
  });
  console.log(`# ${summary.harmed} of ${summary.photos} photos harmed${summary.harmed ? `: ${summary.harmedPhotos.join(', ')}` : ''}`);
  console.log(JSON.stringify({ task: 'real', data: values.data, precision: values.precision ?? 'default', ...summary }));
}
