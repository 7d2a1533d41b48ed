/**
 * The bench in Node: the CLI's own RestorationService (onnxruntime-node, or
 * onnxruntime-web's WASM build under Node), timed stage by stage, with the
 * process's peak resident memory sampled every 100 ms from a worker thread
 * (classical stages keep the main thread busy for seconds, so a main-thread
 * timer would miss the peaks).
 */
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createService } from '../cli/setup.ts';
import { runBenchCore } from './core.ts';
import { parseModelOverrides, round, type BenchResult } from './report.ts';

export interface NodeBenchOptions {
  megapixels: number;
  /** onnxruntime-node (default) or onnxruntime-web WASM under Node. */
  backend?: 'node' | 'wasm';
  stages?: 'auto' | string[];
  /** "task=id[,task=id]" */
  model?: string;
  models?: string;
  precision?: string;
  threads?: number;
  seed?: number;
  warmupSide?: number;
  sampleMs?: number;
  log?(line: string): void;
}

/** Samples process RSS from a worker thread into a shared buffer: [peak bytes, samples]. */
export class RssSampler {
  private shared = new SharedArrayBuffer(16);
  private view = new BigInt64Array(this.shared);
  private worker: Worker;

  constructor(intervalMs = 100) {
    this.worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const v = new BigInt64Array(workerData.shared);
       const tick = () => {
         const rss = BigInt(process.memoryUsage.rss());
         if (rss > Atomics.load(v, 0)) Atomics.store(v, 0, rss);
         Atomics.add(v, 1, 1n);
       };
       tick();
       setInterval(tick, workerData.intervalMs);`,
      { eval: true, workerData: { shared: this.shared, intervalMs } },
    );
    this.worker.unref();
    this.sample();
  }

  /** Extra sample from the caller's thread (between tiles). */
  sample(): void {
    const rss = BigInt(process.memoryUsage.rss());
    if (rss > Atomics.load(this.view, 0)) Atomics.store(this.view, 0, rss);
  }

  get peakBytes(): number {
    return Number(Atomics.load(this.view, 0));
  }

  get samples(): number {
    return Number(Atomics.load(this.view, 1));
  }

  async stop(): Promise<void> {
    this.sample();
    await this.worker.terminate();
  }
}

export async function runNodeBench(opts: NodeBenchOptions): Promise<BenchResult> {
  const wall0 = performance.now();
  const sampler = new RssSampler(opts.sampleMs ?? 100);
  try {
    const backend = opts.backend ?? 'node';
    const modelOverrides = parseModelOverrides(opts.model);
    const service = await createService({
      backend,
      model: opts.model,
      models: opts.models,
      precision: opts.precision,
      threads: opts.threads,
    });
    const core = await runBenchCore(
      {
        analyze: (img) => service.analyze(img),
        run: (img, requests, handlers, analysis) => service.run(img, requests, handlers, analysis),
        runtimeInfo: () => service.runtime.info,
        knownStages: service.stages.ids(),
      },
      {
        megapixels: opts.megapixels,
        seed: opts.seed,
        stages: opts.stages ?? 'auto',
        warmupSide: opts.warmupSide,
        log: opts.log,
        onProgress: () => sampler.sample(),
      },
    );
    await sampler.stop();
    const maxRssMB = process.resourceUsage().maxRSS / 1024;
    const peakRssMB = round(Math.max(sampler.peakBytes / 2 ** 20, 0), 1);
    return {
      ...core,
      backend,
      modelOverrides,
      runtime: { ...core.runtime },
      peakRssMB,
      memory: {
        peakRssMB,
        maxRssMB: round(maxRssMB, 1),
        sampler: 'process.memoryUsage.rss() every 100 ms (worker thread) + between tiles',
        samples: sampler.samples,
      },
      wallMs: round(performance.now() - wall0, 1),
      env: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
      },
    };
  } finally {
    await sampler.stop().catch(() => {});
  }
}
