import { fileURLToPath } from 'node:url';
import { ModelRegistry } from '../../src/engine/models/registry.ts';
import { nodeModelStore } from '../../src/engine/models/node-store.ts';
import { NodeRuntime, type NodeBackend } from '../../src/engine/runtime/node-backend.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

/** A runner for the shipped tiny test model, on onnxruntime-web's WASM build by default (what browsers run). */
export async function tinyRunner(backend: NodeBackend = 'wasm') {
  const registry = new ModelRegistry(nodeModelStore(MODELS_DIR));
  const runtime = await NodeRuntime.create(registry, backend, undefined, 1);
  return runtime.createRunner(await registry.byId('tiny-test'));
}

/** Deterministic test photo: smooth gradients, edges and texture, so a network's output varies everywhere. */
export function testPattern(width: number, height: number, seed = 1) {
  const data = new Uint8ClampedArray(width * height * 4);
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const edge = (x + 2 * y) % 37 < 18 ? 60 : 0;
      data[p] = 40 + (180 * x) / Math.max(1, width) + edge + rand() * 20;
      data[p + 1] = 200 - (150 * y) / Math.max(1, height) + rand() * 20;
      data[p + 2] = 128 + 80 * Math.sin(x / 5) * Math.cos(y / 7);
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}
