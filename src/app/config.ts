/**
 * Options read from the page URL (handy for tests and support):
 *   ?backend=wasm|webgpu|auto      which ONNX backend to try first (default auto)
 *   ?model=denoise=tiny-test       use a given model id for a task (repeatable, or comma-separated)
 */
import type { BackendPreference } from '../engine/runtime/web-backend.ts';

export interface AppConfig {
  backend: BackendPreference;
  modelOverrides: Record<string, string>;
  modelsUrl: string;
}

export function readConfig(location: { search: string } = window.location, baseURI = document.baseURI): AppConfig {
  const params = new URLSearchParams(location.search);
  const b = params.get('backend');
  const backend: BackendPreference = b === 'wasm' || b === 'webgpu' ? b : 'auto';
  const modelOverrides: Record<string, string> = {};
  for (const value of params.getAll('model')) {
    for (const pair of value.split(',')) {
      const [task, id] = pair.split('=');
      if (task?.trim() && id?.trim()) modelOverrides[task.trim()] = id.trim();
    }
  }
  return { backend, modelOverrides, modelsUrl: new URL('models/', baseURI).href };
}
