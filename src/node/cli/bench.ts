/**
 * npm run bench -- [--megapixels 12] [--backend node|wasm|webgpu] [--stages auto|name,...]
 *                  [--model task=id] [--seed 1] [--json]
 *
 * Times analysis and every stage of the automatic pipeline on a deterministic
 * synthetic photo, with peak memory.
 * - node:        in this process, onnxruntime-node (the CLI's runtime).
 * - wasm|webgpu: the built app's bench page (bench.html) in headless Chromium,
 *                through the same worker and RestorationClient as the app; peak
 *                memory is summed over the whole Chromium process tree.
 * With a browser backend the same photo is then run through onnxruntime-node in
 * this process (same stages, thread count and model files), and each stage's
 * time is also given as a ratio to it; --no-node skips that second run.
 * Progress and the summary go to stderr/stdout as text; with --json the last
 * stdout line is one JSON object with everything.
 */
import { parseArgs } from 'node:util';
import { runBrowserBench } from '../bench/browser-bench.ts';
import { runNodeBench } from '../bench/node-bench.ts';
import { formatReport, nodeReferenceOf, parseStages, type BenchResult } from '../bench/report.ts';
import { runMain, UsageError } from './setup.ts';

const USAGE = `usage: npm run bench -- [--megapixels 12] [--backend node|wasm|webgpu] [--stages auto|denoise,colour,deblur]
  [--model task=id[,task=id]] [--seed N] [--threads N] [--precision int8|fp32 (node)]
  [--timeout SECONDS (browser, default 600)] [--no-build] [--no-warmup] [--no-node (browser)] [--json]`;

async function main() {
  const { values } = parseArgs({
    options: {
      megapixels: { type: 'string', default: '12' },
      backend: { type: 'string', default: 'node' },
      stages: { type: 'string', default: 'auto' },
      model: { type: 'string' },
      models: { type: 'string' },
      precision: { type: 'string' },
      threads: { type: 'string' },
      seed: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '600' },
      'no-build': { type: 'boolean', default: false },
      'no-warmup': { type: 'boolean', default: false },
      'no-node': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const megapixels = Number(values.megapixels);
  if (!(megapixels > 0 && megapixels <= 200)) throw new UsageError('--megapixels must be a number in (0, 200]');
  const backend = values.backend!;
  if (!['node', 'wasm', 'webgpu'].includes(backend)) throw new UsageError(`--backend must be node, wasm or webgpu, not "${backend}"`);
  let stages: 'auto' | string[];
  try {
    stages = parseStages(values.stages);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const seed = Number(values.seed);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  const warmupSide = values['no-warmup'] ? 0 : undefined;
  // Progress goes to stderr, so stdout carries only the summary (and the JSON line).
  const log = (line: string) => console.error(line);

  let result: BenchResult;
  if (backend === 'node') {
    result = await runNodeBench({
      megapixels,
      backend: 'node',
      stages,
      model: values.model,
      models: values.models,
      precision: values.precision,
      threads,
      seed,
      warmupSide,
      log,
    });
  } else {
    if (values.models || values.precision) {
      throw new UsageError('--models and --precision apply to --backend node only');
    }
    result = await runBrowserBench({
      megapixels,
      backend: backend as 'wasm' | 'webgpu',
      stages,
      model: values.model,
      seed,
      warmupSide,
      threads,
      build: !values['no-build'],
      timeoutMs: Number(values.timeout) * 1000,
      log,
    });
  }
  if (backend !== 'node' && !values['no-node']) {
    // The reference: the same photo and stages through onnxruntime-node, as many threads as the page had.
    log('reference: the same photo through onnxruntime-node');
    const ref = await runNodeBench({
      megapixels,
      backend: 'node',
      stages: result.stages.map((s) => s.stage),
      model: values.model,
      threads: Number(result.runtime.threads) || threads,
      seed,
      warmupSide,
      log,
    });
    result = { ...result, nodeReference: nodeReferenceOf(ref) };
  }
  for (const line of formatReport(result)) console.log(line);
  if (values.json) console.log(JSON.stringify(result));
  return 0;
}

runMain(main);
