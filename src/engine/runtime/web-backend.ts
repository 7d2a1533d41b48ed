/**
 * Backend selection for onnxruntime-web in the browser.
 *
 * ORT's own ['webgpu', 'wasm'] list falls back silently, so we try WebGPU alone,
 * catch, and only then create a WASM session: that way we always know (and can
 * show) which backend really runs. fp16 files are only used when the adapter has
 * shader-f16 (without it the default build returns zeros). int8 is WASM-only.
 */
import type * as Ort from 'onnxruntime-common';
import { createPlanar } from '../image.ts';
import { pickVariant, type ModelEntry } from '../models/manifest.ts';
import type { ModelRegistry, ProgressFn } from '../models/registry.ts';
import { ModelRunner } from './model-runner.ts';
import type { OrtModule, RuntimeInfo } from './types.ts';
import type { Runtime } from './runtime.ts';

export interface GpuProbe {
  available: boolean;
  adapter?: string;
  shaderF16: boolean;
  reason?: string;
}

interface GpuLike {
  requestAdapter(): Promise<{
    features: { has(f: string): boolean };
    info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  } | null>;
}

/**
 * CPU renderers that present themselves as WebGPU adapters: Chromium's SwiftShader, Mesa's
 * llvmpipe / lavapipe, Microsoft's WARP ("Basic Render Driver"). Browsers do not always flag them
 * as fallback adapters, and on them WebGPU is no faster than the WASM backend.
 */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render|software/i;

/** Is this adapter a software renderer rather than a GPU? */
export function isSoftwareAdapter(name: string, isFallbackAdapter = false): boolean {
  return isFallbackAdapter || SOFTWARE_ADAPTER.test(name);
}

export async function probeWebGpu(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu): Promise<GpuProbe> {
  if (!gpu) return { available: false, shaderF16: false, reason: 'This browser has no WebGPU.' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, shaderF16: false, reason: 'No WebGPU adapter (GPU blocked or absent).' };
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture, info?.description || info?.device].filter(Boolean).join(' ') || 'unknown GPU';
    const software = isSoftwareAdapter(name, adapter.isFallbackAdapter || info?.isFallbackAdapter);
    return {
      available: true,
      adapter: software ? `${name} (software renderer, no GPU)` : name,
      shaderF16: adapter.features.has('shader-f16'),
    };
  } catch (e) {
    return { available: false, shaderF16: false, reason: `WebGPU adapter request failed: ${(e as Error).message}` };
  }
}

/**
 * One thread per core, at most 8. Leaving a core to the page was measured on a 2-core machine
 * (back-to-back browser benches, 1 MP): no faster on the whole path, and the warm-up took longer;
 * one thread against two on 3 MP is in docs/speed.md (two win every stage).
 */
export function wasmThreadCount(isolated: boolean, cores = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  // Without cross-origin isolation there is no SharedArrayBuffer, so ORT runs single-threaded.
  return isolated ? Math.max(1, Math.min(cores, 8)) : 1;
}

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export class WebRuntime implements Runtime {
  info: RuntimeInfo;
  private gpu?: GpuProbe;

  constructor(
    private ort: OrtModule,
    private registry: ModelRegistry,
    private preference: BackendPreference = 'auto',
    private gpuProbe: () => Promise<GpuProbe> = () => probeWebGpu(),
    /** WASM threads instead of wasmThreadCount's choice (the bench compares counts with it). */
    threadsOverride?: number,
  ) {
    const isolated = Boolean(globalThis.crossOriginIsolated);
    const threads = threadsOverride && isolated ? threadsOverride : wasmThreadCount(isolated);
    ort.env.wasm.numThreads = threads;
    this.info = { backend: 'wasm', runtime: 'onnxruntime-web', shaderF16: false, threads, crossOriginIsolated: isolated };
  }

  /** Probes the GPU once; the result decides what the next sessions try first. */
  async init(): Promise<RuntimeInfo> {
    if (this.preference !== 'wasm') {
      this.gpu = await this.gpuProbe();
      if (this.gpu.available) {
        this.info = { ...this.info, backend: 'webgpu', adapter: this.gpu.adapter, shaderF16: this.gpu.shaderF16 };
      } else {
        this.info = { ...this.info, fallbackReason: this.gpu.reason };
      }
    }
    return this.info;
  }

  /** Creates a runner on WebGPU if possible, else on WASM; records any fallback. */
  async createRunner(entry: ModelEntry, onProgress?: ProgressFn): Promise<ModelRunner> {
    if (this.info.backend === 'webgpu') {
      try {
        const variant = pickVariant(entry, 'webgpu', { shaderF16: this.info.shaderF16 });
        const bytes = await this.registry.load(variant, onProgress);
        const opts: Ort.InferenceSession.SessionOptions = { executionProviders: ['webgpu'] };
        const runner = await ModelRunner.create(this.ort, bytes, entry, opts);
        await probeRun(runner).catch(async (e) => {
          await runner.release();
          throw e;
        });
        return runner;
      } catch (e) {
        if ((e as Error).name === 'IntegrityError') throw e;
        this.info = {
          ...this.info,
          backend: 'wasm',
          adapter: undefined,
          shaderF16: false,
          fallbackReason: `WebGPU session failed (${(e as Error).message}); using WASM.`,
        };
      }
    }
    const variant = pickVariant(entry, 'wasm');
    const bytes = await this.registry.load(variant, onProgress);
    return ModelRunner.create(this.ort, bytes, entry, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  }
}

/**
 * Some WebGPU failures only show when a kernel first runs (unsupported attribute,
 * fp16 returning zeros on adapters without shader-f16). One small run before the
 * session is used turns those into a clean fallback to WASM instead of a failed restore.
 */
export async function probeRun(runner: ModelRunner): Promise<void> {
  const side = Math.max(16, 2 * runner.entry.sizeMultiple);
  const tile = createPlanar(side, side, runner.entry.io.channels);
  for (let i = 0; i < tile.data.length; i++) tile.data[i] = 0.2 + 0.6 * ((i * 7919) % 101) / 100;
  const out = await runner.run(tile, 1);
  let nonZero = false;
  for (const v of out.data) {
    if (!Number.isFinite(v)) throw new Error('the model produced non-finite values');
    if (v !== 0) nonZero = true;
  }
  if (!nonZero) throw new Error('the model produced an all-zero image');
}
