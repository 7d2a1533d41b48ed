/**
 * npm run eval -- --task denoise --data <folder> [--sigma 25] [--seed 0] [--limit N]
 *                 [--protocol standard|realistic] [--backend node|wasm] [--precision int8|fp32]
 *                 [--methods model,nlm,bilateral] [--json]
 *
 * Degrades each photo with the task's synthetic degradation (deterministic per
 * seed), restores it through the shipped model and the engine's tiling, and
 * prints per-image and mean PSNR/SSIM for the model and each classical baseline.
 * With --json the last line is one JSON object with the means.
 */
import { parseArgs } from 'node:util';
import { runEval } from '../eval/run-eval.ts';
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
    },
  });
  const task = EVAL_TASKS[values.task ?? ''];
  if (!task) throw new UsageError(`--task must be one of: ${Object.keys(EVAL_TASKS).join(', ')}`);
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

runMain(main);
