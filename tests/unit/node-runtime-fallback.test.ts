import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/engine/models/registry.ts';
import { nodeModelStore } from '../../src/engine/models/node-store.ts';
import { loadOrt, NodeRuntime } from '../../src/engine/runtime/node-backend.ts';
import { MODELS_DIR } from '../helpers/models.ts';

/** What a missing native binding looks like (npm leaves an optional dependency out when its install script fails). */
const missing = () => Promise.reject(new Error("Cannot find module 'onnxruntime-node'\nRequire stack: ..."));

describe('Node runtime without onnxruntime-node', () => {
  it('falls back to the WASM build with a one-line notice', async () => {
    const lines: string[] = [];
    const loaded = await loadOrt('node', { importNative: missing, notice: (l) => lines.push(l) });
    expect(loaded.backend).toBe('wasm');
    expect(typeof loaded.ort.InferenceSession.create).toBe('function');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toMatch(/onnxruntime-node could not load \(Cannot find module 'onnxruntime-node'\).*WASM/);
  });

  it('says nothing when the native binding loads, or when WASM was asked for', async () => {
    const lines: string[] = [];
    const fake = { InferenceSession: { create: () => undefined }, Tensor: class {}, env: {} };
    const native = await loadOrt('node', { importNative: async () => ({ default: fake }), notice: (l) => lines.push(l) });
    expect(native.backend).toBe('node');
    expect(native.ort).toBe(fake);
    expect((await loadOrt('wasm', { notice: (l) => lines.push(l) })).backend).toBe('wasm');
    expect(lines).toEqual([]);
  });

  it('a runtime created for node runs models on WASM and reports why', async () => {
    const registry = new ModelRegistry(nodeModelStore(MODELS_DIR));
    const runtime = await NodeRuntime.create(registry, 'node', undefined, 1, { importNative: missing, notice: () => {} });
    expect(runtime.info).toMatchObject({ backend: 'wasm', runtime: 'onnxruntime-web' });
    expect(runtime.info.fallbackReason).toMatch(/onnxruntime-node could not load/);
    const runner = await runtime.createRunner(await registry.byId('tiny-test'));
    expect(runner).toBeDefined();
  });
});
