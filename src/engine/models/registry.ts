/**
 * Model registry: reads the manifest, fetches model files lazily with progress,
 * verifies each against its sha256 before anything runs it, and caches it.
 * Where bytes come from is injected (browser: Cache Storage + fetch; Node: disk),
 * so the app, the CLI and the tests share this logic.
 */
import { validateManifest, type ModelEntry, type ModelManifest, type ModelVariant } from './manifest.ts';

export type ProgressFn = (loaded: number, total: number) => void;

export interface ModelStore {
  manifest(): Promise<unknown>;
  /** Returns the file's bytes; may come from a cache. `discard` removes a cached copy that failed verification. */
  fetch(file: string, expectedBytes: number, onProgress?: ProgressFn): Promise<Uint8Array>;
  discard?(file: string): Promise<void>;
}

export class IntegrityError extends Error {
  constructor(file: string, expected: string, actual: string) {
    super(
      `Model file ${file} failed its integrity check (sha256 ${actual.slice(0, 12)}… instead of ${expected.slice(0, 12)}…). ` +
        'It was not run. Reload to download it again.',
    );
    this.name = 'IntegrityError';
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ModelRegistry {
  private manifestPromise?: Promise<ModelManifest>;
  private verified = new Map<string, Promise<Uint8Array>>();

  constructor(private store: ModelStore) {}

  manifest(): Promise<ModelManifest> {
    this.manifestPromise ??= this.store.manifest().then(validateManifest);
    return this.manifestPromise;
  }

  /** The model for a task (the newest listed one), or undefined: the stage then uses its classical fallback. */
  async forTask(task: string, opts: { includeTestOnly?: boolean } = {}): Promise<ModelEntry | undefined> {
    const { models } = await this.manifest();
    return models.filter((m) => m.task === task && (opts.includeTestOnly || !m.testOnly)).at(-1);
  }

  async byId(id: string): Promise<ModelEntry> {
    const entry = (await this.manifest()).models.find((m) => m.id === id);
    if (!entry) throw new Error(`No model "${id}" in the manifest.`);
    return entry;
  }

  /** Bytes of one variant, verified against the manifest's sha256 (once per file per session). */
  load(variant: ModelVariant, onProgress?: ProgressFn): Promise<Uint8Array> {
    let p = this.verified.get(variant.file);
    if (!p) {
      p = this.fetchVerified(variant, onProgress);
      this.verified.set(variant.file, p);
      p.catch(() => this.verified.delete(variant.file));
    }
    return p;
  }

  private async fetchVerified(variant: ModelVariant, onProgress?: ProgressFn): Promise<Uint8Array> {
    const bytes = await this.store.fetch(variant.file, variant.bytes, onProgress);
    const actual = await sha256Hex(bytes);
    if (actual !== variant.sha256) {
      await this.store.discard?.(variant.file);
      throw new IntegrityError(variant.file, variant.sha256, actual);
    }
    return bytes;
  }
}
