import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickVariant, validateManifest, type ModelEntry } from '../../src/engine/models/manifest.ts';
import { IntegrityError, ModelRegistry, sha256Hex, type ModelStore } from '../../src/engine/models/registry.ts';
import type { OrtModule } from '../../src/engine/runtime/types.ts';
import { WebRuntime, wasmThreadCount } from '../../src/engine/runtime/web-backend.ts';
import { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { createPlanar } from '../../src/engine/image.ts';
import { MODELS_DIR } from '../helpers/models.ts';

async function manifest() {
  return JSON.parse(await readFile(join(MODELS_DIR, 'manifest.json'), 'utf8'));
}

/** A store serving the real tiny model, optionally with one byte flipped (a corrupted download or cache). */
function store(corrupt = false): ModelStore & { discarded: string[] } {
  const discarded: string[] = [];
  return {
    discarded,
    manifest,
    async fetch(file) {
      const bytes = new Uint8Array(await readFile(join(MODELS_DIR, file)));
      if (corrupt) bytes[bytes.length >> 1] ^= 0xff;
      return bytes;
    },
    async discard(file) {
      discarded.push(file);
    },
  };
}

describe('model manifest and registry', () => {
  it('every shipped model file matches its manifest sha256 and size', async () => {
    const m = validateManifest(await manifest());
    for (const e of m.models) {
      for (const v of e.variants) {
        const bytes = new Uint8Array(await readFile(join(MODELS_DIR, v.file)));
        expect(await sha256Hex(bytes), v.file).toBe(v.sha256);
        expect(bytes.length).toBe(v.bytes);
      }
    }
  });

  it('loads a verified model and refuses a file whose sha256 does not match', async () => {
    const good = new ModelRegistry(store());
    const entry = await good.byId('tiny-test');
    expect((await good.load(entry.variants[0])).length).toBe(entry.variants[0].bytes);

    const bad = store(true);
    const registry = new ModelRegistry(bad);
    await expect(registry.load(entry.variants[0])).rejects.toBeInstanceOf(IntegrityError);
    await expect(registry.load(entry.variants[0])).rejects.toThrow(/failed its integrity check/);
    expect(bad.discarded).toContain(entry.variants[0].file); // a bad cached copy is thrown away
  });

  it('never offers test-only models to users', async () => {
    const registry = new ModelRegistry(store());
    const forUsers = await registry.forTask('denoise');
    expect(forUsers?.testOnly).not.toBe(true);
    expect((await registry.forTask('denoise', { includeTestOnly: true }))).toBeDefined();
  });

  it('rejects a manifest entry without a sha256', () => {
    expect(() => validateManifest({ models: [{ id: 'x', task: 't', io: { input: 'a', output: 'b' }, sizeMultiple: 1, tileOverlap: 0, preferredTile: 8, variants: [{ file: 'x.onnx', sha256: 'nope' }] }] })).toThrow(/sha256/);
  });

  it('picks fp16 only with shader-f16, int8 on WASM', () => {
    const v = (precision: string, backend: string, requires?: string) => ({ precision, backend, file: `${precision}.onnx`, sha256: '0'.repeat(64), bytes: 1, requires });
    const entry = { id: 'm', variants: [v('int8', 'wasm'), v('fp32', 'webgpu'), v('fp16', 'webgpu', 'shader-f16')] } as unknown as ModelEntry;
    expect(pickVariant(entry, 'webgpu', { shaderF16: true }).precision).toBe('fp16');
    expect(pickVariant(entry, 'webgpu', { shaderF16: false }).precision).toBe('fp32');
    expect(pickVariant(entry, 'wasm').precision).toBe('int8');
    expect(pickVariant(entry, 'node', { precision: 'fp32' }).precision).toBe('fp32');
  });
});

describe('backend selection', () => {
  /** An ORT stand-in that records which execution providers sessions were created with. */
  function fakeOrt(webgpuWorks: boolean | 'zeros') {
    const created: string[][] = [];
    const ort = {
      env: { wasm: {} },
      Tensor: class {
        constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {}
      },
      InferenceSession: {
        async create(_bytes: Uint8Array, opts: { executionProviders: string[] }) {
          created.push(opts.executionProviders);
          if (opts.executionProviders.includes('webgpu') && webgpuWorks === false) throw new Error('no GPU device');
          // 'zeros': the session is created but every run returns zeros (fp16 without shader-f16).
          const value = webgpuWorks === 'zeros' && opts.executionProviders.includes('webgpu') ? 0 : 0.5;
          return {
            run: async (feeds: Record<string, { dims: number[] }>) => {
              const dims = feeds.input.dims;
              return { output: { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value) } };
            },
            release: async () => {},
          };
        },
      },
    } as unknown as OrtModule;
    return { ort, created };
  }

  it('runs one ONNX call at a time across sessions, as the WebGPU-capable build requires', async () => {
    let active = 0, most = 0;
    const ort = {
      Tensor: class {
        constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {}
      },
      InferenceSession: {
        async create() {
          return {
            run: async (feeds: Record<string, { dims: number[] }>) => {
              most = Math.max(most, ++active);
              await new Promise((r) => setTimeout(r, 5));
              active--;
              const dims = feeds.input.dims;
              return { output: { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) } };
            },
            release: async () => {},
          };
        },
      },
    } as unknown as OrtModule;
    const entry = { id: 'm', io: { input: 'input', output: 'output', channels: 3 } } as unknown as ModelEntry;
    const [a, b] = await Promise.all([ModelRunner.create(ort, new Uint8Array(1), entry, {}), ModelRunner.create(ort, new Uint8Array(1), entry, {})]);
    const tile = createPlanar(4, 4, 3);
    const outs = await Promise.all([a.run(tile), b.run(tile), a.run(tile), b.run(tile)]);
    expect(outs).toHaveLength(4);
    expect(most).toBe(1);
  });

  it('without WebGPU it runs on WASM and says why', async () => {
    const { ort, created } = fakeOrt(true);
    const runtime = new WebRuntime(ort, new ModelRegistry(store()), 'auto', async () => ({ available: false, shaderF16: false, reason: 'This browser has no WebGPU.' }));
    const info = await runtime.init();
    expect(info.backend).toBe('wasm');
    expect(info.fallbackReason).toMatch(/no WebGPU/);
    await runtime.createRunner(await new ModelRegistry(store()).byId('tiny-test'));
    expect(created).toEqual([['wasm']]);
  });

  it('tries WebGPU alone first, then falls back to WASM when the session fails', async () => {
    const { ort, created } = fakeOrt(false);
    const registry = new ModelRegistry(store());
    const runtime = new WebRuntime(ort, registry, 'auto', async () => ({ available: true, adapter: 'Test GPU', shaderF16: false }));
    expect((await runtime.init()).backend).toBe('webgpu');
    await runtime.createRunner(await registry.byId('tiny-test'));
    expect(created).toEqual([['webgpu'], ['wasm']]);
    expect(runtime.info.backend).toBe('wasm');
    expect(runtime.info.fallbackReason).toMatch(/WebGPU session failed \(no GPU device\)/);
  });

  it('falls back when the WebGPU session runs but returns zeros', async () => {
    const { ort, created } = fakeOrt('zeros');
    const registry = new ModelRegistry(store());
    const runtime = new WebRuntime(ort, registry, 'auto', async () => ({ available: true, adapter: 'Test GPU', shaderF16: false }));
    await runtime.init();
    await runtime.createRunner(await registry.byId('tiny-test'));
    expect(created).toEqual([['webgpu'], ['wasm']]);
    expect(runtime.info.fallbackReason).toMatch(/all-zero/);
  });

  it('stays on WebGPU when it works', async () => {
    const { ort, created } = fakeOrt(true);
    const registry = new ModelRegistry(store());
    const runtime = new WebRuntime(ort, registry, 'auto', async () => ({ available: true, adapter: 'Test GPU', shaderF16: true }));
    await runtime.init();
    await runtime.createRunner(await registry.byId('tiny-test'));
    expect(created).toEqual([['webgpu']]);
    expect(runtime.info).toMatchObject({ backend: 'webgpu', adapter: 'Test GPU', shaderF16: true });
  });

  it('uses one WASM thread without cross-origin isolation', () => {
    const { ort } = fakeOrt(true);
    new WebRuntime(ort, new ModelRegistry(store()), 'wasm');
    expect((ort.env.wasm as { numThreads: number }).numThreads).toBe(globalThis.crossOriginIsolated ? expect.any(Number) : 1);
  });

  it('uses a thread per core (at most 8), and the bench can ask for a thread count', () => {
    expect([1, 2, 4, 16].map((cores) => wasmThreadCount(true, cores))).toEqual([1, 2, 4, 8]);
    expect(wasmThreadCount(false, 16)).toBe(1);
    const isolated = Object.getOwnPropertyDescriptor(globalThis, 'crossOriginIsolated');
    Object.defineProperty(globalThis, 'crossOriginIsolated', { value: true, configurable: true });
    try {
      const { ort } = fakeOrt(true);
      expect(new WebRuntime(ort, new ModelRegistry(store()), 'wasm', undefined, 2).info.threads).toBe(2);
      expect((ort.env.wasm as { numThreads: number }).numThreads).toBe(2);
    } finally {
      if (isolated) Object.defineProperty(globalThis, 'crossOriginIsolated', isolated);
      else delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
  });
});
