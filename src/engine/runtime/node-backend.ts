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

/**
 * onnxruntime-node is an optional dependency: its install script may fail (it
 * downloads GPU libraries from outside the npm registry), and npm then leaves it
 * out. The name is a variable so the type check does not need it either.
 */
const NATIVE_PACKAGE = 'onnxruntime-node';

export interface LoadOrtOptions {
  /** Imports onnxruntime-node (tests pass one that fails, as a missing binding does). */
  importNative?: () => Promise<unknown>;
  /** Where the one-line notice about falling back goes (stderr by default). */
  notice?: (line: string) => void;
}

export interface LoadedOrt {
  ort: OrtModule;
  /** The backend actually loaded: 'wasm' when 'node' was asked for but its native binding could not load. */
  backend: NodeBackend;
  fallbackReason?: string;
}

const moduleOf = (mod: unknown) => ((mod as { default?: OrtModule }).default ?? mod) as OrtModule;

/** Loads onnxruntime for `backend`; without a working native binding, onnxruntime-web's WASM build instead. */
export async function loadOrt(backend: NodeBackend, opts: LoadOrtOptions = {}): Promise<LoadedOrt> {
  if (backend === 'node') {
    const importNative = opts.importNative ?? (() => import(/* @vite-ignore */ NATIVE_PACKAGE));
    try {
      const ort = moduleOf(await importNative());
      if (typeof ort?.InferenceSession?.create !== 'function') throw new Error('no InferenceSession in the module');
      return { ort, backend };
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      const fallbackReason = `onnxruntime-node could not load (${why}); using onnxruntime-web's WASM build instead`;
      (opts.notice ?? ((line) => process.stderr.write(`${line}\n`)))(`note: ${fallbackReason} (slower).`);
      return { ort: moduleOf(await import('onnxruntime-web')), backend: 'wasm', fallbackReason };
    }
  }
  return { ort: moduleOf(await import('onnxruntime-web')), backend };
}

export class NodeRuntime implements Runtime {
  info: RuntimeInfo;

  private constructor(
    private ort: OrtModule,
    private registry: ModelRegistry,
    backend: NodeBackend,
    private precision?: Precision,
    threads = Math.min(cpus().length, 8),
    fallbackReason?: string,
  ) {
    if (backend === 'wasm') ort.env.wasm.numThreads = threads;
    this.info = {
      backend,
      runtime: backend === 'node' ? 'onnxruntime-node' : 'onnxruntime-web',
      shaderF16: false,
      threads,
      crossOriginIsolated: true,
      ...(fallbackReason ? { fallbackReason } : {}),
    };
  }

  /** A runtime on `backend`; 'node' falls back to WASM (with a one-line notice) when the native binding cannot load. */
  static async create(registry: ModelRegistry, backend: NodeBackend, precision?: Precision, threads?: number, load?: LoadOrtOptions) {
    const loaded = await loadOrt(backend, load);
    return new NodeRuntime(loaded.ort, registry, loaded.backend, precision, threads, loaded.fallbackReason);
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
