/**
 * Offline from the first visit: once the engine is up, the repair models this
 * device would run are saved in the background (in the cache the engine's
 * model store reads first), so the next visit works without a network. On a
 * metered connection (Save-Data, cellular, 2G) nothing is fetched unless the
 * user asked for it, once or always.
 */
import { browserModelStore, MODEL_CACHE } from '../engine/models/browser-store.ts';
import { pickVariant, type ModelVariant } from '../engine/models/manifest.ts';
import { ModelRegistry } from '../engine/models/registry.ts';
import type { BackendName } from '../engine/models/manifest.ts';

export interface OfflineModels {
  state: 'waiting' | 'downloading' | 'ready' | 'skipped' | 'failed';
  /** Bytes saved so far and in all, over every model this device would run. */
  loaded: number;
  total: number;
  reason?: string;
}

export const METERED_SETTING_KEY = 'heirloom-models-on-metered';

interface ConnectionLike {
  saveData?: boolean;
  type?: string;
  effectiveType?: string;
}

/** Does the browser say this connection costs money or is slow (Network Information API, where there is one)? */
export function isMetered(connection: ConnectionLike | undefined = (globalThis.navigator as { connection?: ConnectionLike } | undefined)?.connection): boolean {
  if (!connection) return false;
  return connection.saveData === true || connection.type === 'cellular' || connection.effectiveType === 'slow-2g' || connection.effectiveType === '2g';
}

export function modelsOnMetered(): boolean {
  try {
    return localStorage.getItem(METERED_SETTING_KEY) === '1';
  } catch {
    return false;
  }
}

export function setModelsOnMetered(on: boolean): void {
  try {
    if (on) localStorage.setItem(METERED_SETTING_KEY, '1');
    else localStorage.removeItem(METERED_SETTING_KEY);
  } catch {
    // Storage blocked: the choice lasts for this visit only.
  }
}

/**
 * Saves the newest model of every task (the file this backend would pick) that is not cached yet,
 * one after the other, each checked against its sha256 by the registry. Returns the tasks whose
 * model was fetched now.
 */
export async function saveModelsForOffline(
  modelsUrl: string,
  backend: BackendName,
  shaderF16: boolean,
  onProgress: (loaded: number, total: number) => void,
): Promise<string[]> {
  const registry = new ModelRegistry(browserModelStore(modelsUrl));
  const { models } = await registry.manifest();
  const tasks = [...new Set(models.filter((m) => !m.testOnly).map((m) => m.task))];
  const wanted: { task: string; variant: ModelVariant }[] = [];
  for (const task of tasks) {
    const entry = await registry.forTask(task);
    if (entry) wanted.push({ task, variant: pickVariant(entry, backend, { shaderF16 }) });
  }
  const cache = await caches.open(MODEL_CACHE);
  const cached = await Promise.all(wanted.map(({ variant }) => cache.match(new URL(variant.file, modelsUrl).href).then(Boolean)));
  const total = wanted.reduce((n, w) => n + w.variant.bytes, 0);
  let done = wanted.reduce((n, w, i) => n + (cached[i] ? w.variant.bytes : 0), 0);
  onProgress(done, total);
  const fetched: string[] = [];
  for (const [i, { task, variant }] of wanted.entries()) {
    if (cached[i]) continue;
    await registry.load(variant, (loaded) => onProgress(done + Math.min(loaded, variant.bytes), total));
    done += variant.bytes;
    fetched.push(task);
    onProgress(done, total);
  }
  return fetched;
}
