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
 *                 [--precision int8|fp32|fp16] [--methods classical,model,follow (detect)] [--json]
 *
 * Damage tasks read a set written by training/tools/make_damage_set.py (see
 * src/stages/fill/eval.ts) and score detection (F1, IoU, false alarms) or fill
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
 * npm run eval -- --task real --data <folder of real photos> --out <folder> [--masks DIR] [--limit N] [--follow-cracks] [--json]
 *
 * The real-photo bench (src/node/eval/real/): the automatic path as the app runs it on each photo,
 * a contact sheet per photo and an overview sheet in --out, a row per photo with the
 * do-no-harm figures and a HARM flag with its reasons; the last line is one JSON object. With
 * --follow-cracks the fill runs with "Follow cracks further" ticked, as a user may.
 */
import { parseArgs } from 'node:util';
import { realEvalCommand } from '../eval/real/command.ts';
import { stageEvals } from '../../stages/evals.ts';
import { createService, runMain, UsageError } from './setup.ts';

/** Each stage's evaluation (src/stages/<id>/eval.ts), then the real-photo bench. */
const COMMANDS = [...stageEvals, realEvalCommand];

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
      'follow-cracks': { type: 'boolean', default: false },
    },
  });
  const command = COMMANDS.find((c) => c.task === values.task);
  if (!command) {
    const usage = COMMANDS.map((c) => `  npm run eval -- ${c.usage}`).join('\n');
    throw new UsageError(`--task must be one of: ${COMMANDS.map((c) => c.task).join(', ')}\n${usage}\n  (all: [--backend node|wasm] [--precision int8|fp32|fp16] [--model task=id])`);
  }
  await command.run(values, await createService(values));
}

runMain(main);
