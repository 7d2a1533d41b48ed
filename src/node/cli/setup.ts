/** Shared set-up of the command-line tools: the same registry, runtime, stages and service as the app. */
import { fileURLToPath } from 'node:url';
import type { Precision } from '../../engine/models/manifest.ts';
import { ModelRegistry } from '../../engine/models/registry.ts';
import { nodeModelStore } from '../../engine/models/node-store.ts';
import { NodeRuntime, type NodeBackend } from '../../engine/runtime/node-backend.ts';
import { RestorationService } from '../../engine/service/restoration-service.ts';
import { stageRegistry } from '../../stages/index.ts';

export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../public/models/', import.meta.url));

export interface ServiceArgs {
  backend?: string;
  models?: string;
  precision?: string;
  /** "task=modelId,task=modelId" */
  model?: string;
  threads?: number;
}

export async function createService(args: ServiceArgs): Promise<RestorationService> {
  const backend = (args.backend ?? 'node') as NodeBackend;
  if (backend !== 'node' && backend !== 'wasm') throw new UsageError(`--backend must be node or wasm, not "${backend}"`);
  const precision = args.precision as Precision | undefined;
  if (precision && !['int8', 'fp32', 'fp16'].includes(precision)) throw new UsageError('--precision must be int8, fp32 or fp16');
  const registry = new ModelRegistry(nodeModelStore(args.models ?? DEFAULT_MODELS_DIR));
  const runtime = await NodeRuntime.create(registry, backend, precision, args.threads);
  return new RestorationService(runtime, registry, stageRegistry, { modelOverrides: parseOverrides(args.model) });
}

function parseOverrides(spec?: string): Record<string, string> | undefined {
  if (!spec) return undefined;
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const [task, id] = part.split('=');
    if (!task || !id) throw new UsageError(`--model expects task=modelId[,task=modelId], got "${spec}"`);
    out[task] = id;
  }
  return out;
}

export class UsageError extends Error {}

/** Runs a CLI main function: clear one-line errors and a non-zero exit instead of stack traces. */
export function runMain(main: () => Promise<number | void>) {
  main().then(
    (code) => process.exit(code ?? 0),
    (e: Error) => {
      const known = e instanceof UsageError || e.name === 'ImageInputError' || e.name === 'IntegrityError';
      console.error(`error: ${e.message}`);
      if (!known && process.env.DEBUG) console.error(e.stack);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}

/** A progress line that rewrites itself on a terminal and prints sparse lines otherwise. */
export function progressPrinter(prefix: string) {
  let last = -1;
  return (fraction: number, label: string) => {
    const pct = Math.floor(fraction * 100);
    if (pct === last) return;
    if (process.stderr.isTTY) process.stderr.write(`\r${prefix} ${label} ${pct}%   `);
    else if (pct % 25 === 0) process.stderr.write(`${prefix} ${label} ${pct}%\n`);
    last = pct;
    if (pct >= 100 && process.stderr.isTTY) process.stderr.write('\n');
  };
}
