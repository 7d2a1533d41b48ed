/**
 * The app's restoration worker client, configured from the page URL. It is
 * replaced by a WASM-only one if WebGPU fails while running a model (a GPU
 * kernel can fail after its session was created fine): the app then records
 * why, shows it, and runs again on WASM rather than failing.
 */
import { RestorationClient } from '../worker/restoration-client.ts';
import type { RuntimeInfo } from '../engine/runtime/types.ts';
import type { BackendPreference } from '../engine/runtime/web-backend.ts';
import { readConfig } from './config.ts';

export const config = readConfig();

function start(backend: BackendPreference) {
  return new RestorationClient({
    modelsUrl: config.modelsUrl,
    backend,
    modelOverrides: Object.keys(config.modelOverrides).length ? config.modelOverrides : undefined,
  });
}

let current = start(config.backend);
let appFallbackReason: string | undefined;

export function client(): RestorationClient {
  return current;
}

/** The runtime in use, with the reason the app left WebGPU if it did. */
export async function runtimeInfo(): Promise<RuntimeInfo> {
  const info = await current.runtimeInfo();
  return appFallbackReason ? { ...info, fallbackReason: appFallbackReason } : info;
}

/** Replaces the worker with a WASM-only one and remembers why. */
export function fallBackToWasm(reason: string): void {
  current.dispose();
  current = start('wasm');
  appFallbackReason = reason;
}
