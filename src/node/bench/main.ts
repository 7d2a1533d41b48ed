/**
 * The in-browser bench page (bench.html). Uses RestorationClient, the same
 * worker path as the app: the photo is made here, copied to the worker for
 * analysis and the pipeline, and each stage result comes back transferred.
 * Publishes progress lines on window.__benchLog and the result on
 * window.__benchResult (or the failure on window.__benchError).
 */
import type { Remote } from 'comlink';
import { RestorationClient } from '../../worker/restoration-client.ts';
import type { BackendPreference } from '../../engine/runtime/web-backend.ts';
import { stageRegistry } from '../../stages/index.ts';
import type { RestoreWorkerApi } from '../../worker/restore.worker.ts';
import { runBenchCore } from './core.ts';
import { parseModelOverrides, parseStages, round, type BenchBackend } from './report.ts';

declare global {
  interface Window {
    __benchLog: string[];
    __benchResult?: unknown;
    __benchError?: string;
    __benchProgress?: { stage: string; done: number; total: number; stageIndex: number; stageCount: number };
  }
}

const logEl = document.getElementById('log')!;
window.__benchLog = [];
const t0 = performance.now();

function log(line: string) {
  const stamped = `[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}`;
  window.__benchLog.push(stamped);
  logEl.textContent += `${stamped}\n`;
}

function fail(e: unknown) {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  window.__benchError ??= msg;
  log(`error: ${msg}`);
}
window.addEventListener('error', (e) => fail(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => fail(e.reason));

async function main() {
  const q = new URLSearchParams(location.search);
  const megapixels = Number(q.get('mp') ?? '12');
  const backend = (q.get('backend') ?? 'wasm') as BackendPreference;
  if (!['auto', 'wasm', 'webgpu'].includes(backend)) throw new Error(`backend must be auto, wasm or webgpu, not "${backend}"`);
  const stages = parseStages(q.get('stages'));
  const modelOverrides = parseModelOverrides(q.get('model'));
  const seed = Number(q.get('seed') ?? '1');
  const warmupSide = q.has('warmup') ? Number(q.get('warmup')) : undefined;
  const threads = q.has('threads') ? Number(q.get('threads')) : undefined;

  const client = new RestorationClient({ modelsUrl: new URL('models/', location.href).href, backend, modelOverrides, threads });
  const info0 = await client.runtimeInfo();
  log(`worker ready: ${info0.runtime} ${info0.backend}, ${info0.threads} threads, crossOriginIsolated=${info0.crossOriginIsolated}`);
  // The client keeps its comlink handle private; the worker's runtimeInfo() reflects fallbacks made while creating sessions.
  const api = () => (client as unknown as { api: Remote<RestoreWorkerApi> }).api;

  const core = await runBenchCore(
    {
      analyze: (img) => client.analyze(img),
      run: (img, requests, handlers, analysis) => client.run(img, requests, handlers, analysis),
      runtimeInfo: () => api().runtimeInfo(),
      knownStages: stageRegistry.ids(),
    },
    {
      megapixels,
      seed,
      stages,
      warmupSide,
      log,
      onProgress: (p) => (window.__benchProgress = p),
    },
  );
  client.dispose();
  const result = {
    ...core,
    backend: (core.runtime.backend === 'webgpu' ? 'webgpu' : 'wasm') as BenchBackend,
    requestedBackend: backend,
    modelOverrides,
    runtime: {
      ...core.runtime,
      pageCrossOriginIsolated: globalThis.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
    },
    env: { userAgent: navigator.userAgent },
    pageMs: round(performance.now() - t0, 1),
  };
  log(`done in ${(result.pageMs / 1000).toFixed(1)} s`);
  window.__benchResult = result;
}

main().catch(fail);
