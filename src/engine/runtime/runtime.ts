import type { ModelEntry } from '../models/manifest.ts';
import type { ProgressFn } from '../models/registry.ts';
import type { ModelRunner } from './model-runner.ts';
import type { RuntimeInfo } from './types.ts';

/** What stages need from a runtime: a runner per model, and a description of itself. */
export interface Runtime {
  info: RuntimeInfo;
  init(): Promise<RuntimeInfo>;
  createRunner(entry: ModelEntry, onProgress?: ProgressFn): Promise<ModelRunner>;
}
