/**
 * Runtimes for the command line and Node tests: onnxruntime-node (native, fast,
 * the CLI default) or onnxruntime-web's WASM build under Node (the same kernels as
 * the browser, for evaluation that must match what users get).
 */
import { cpus } from 'node:os';
import { pickVariant, type ModelEntry, type Precision } from '../models/manifest.ts';
import type { ModelRegistry, ProgressFn } from '../models/registry.ts';
import { ModelRunner } from './model-runner.ts';
import type { OrtModule, RuntimeInfo } from './types.ts';
import type { Runtime } from './runtime.ts';

export type NodeBackend = 'node' | 'wasm';

export async function loadOrt(backend: NodeBackend): Promise<OrtModule> {
  const mod = backend === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
  return ((mod as { default?: OrtModule }).default ?? mod) as OrtModule;
}

export class NodeRuntime implements Runtime {
  info: RuntimeInfo;

  private constructor(
    private ort: OrtModule,
    private registry: ModelRegistry,
    backend: NodeBackend,
    private precision?: Precision,
    threads = Math.min(cpus().length, 8),
  ) {
    if (backend === 'wasm') ort.env.wasm.numThreads = threads;
    this.info = {
      backend,
      runtime: backend === 'node' ? 'onnxruntime-node' : 'onnxruntime-web',
      shaderF16: false,
      threads,
      crossOriginIsolated: true,
    };
  }

  static async create(registry: ModelRegistry, backend: NodeBackend, precision?: Precision, threads?: number) {
    return new NodeRuntime(await loadOrt(backend), registry, backend, precision, threads);
  }

  async init() {
    return this.info;
  }

  async createRunner(entry: ModelEntry, onProgress?: ProgressFn): Promise<ModelRunner> {
    const variant = pickVariant(entry, 'wasm', { precision: this.precision });
    const bytes = await this.registry.load(variant, onProgress);
    const ep = this.info.backend === 'node' ? 'cpu' : 'wasm';
    return ModelRunner.create(this.ort, bytes, entry, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: this.info.backend === 'node' ? this.info.threads : undefined,
    });
  }
}
