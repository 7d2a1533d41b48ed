/// <reference lib="webworker" />
/**
 * The restoration worker: all pixel work runs here, off the UI thread. It holds
 * the ONNX sessions; cancelling a run terminates this worker (immediate and
 * reliable) and the client starts a fresh one.
 */
import * as Comlink from 'comlink';
import type { RGBAImage } from '../src/engine/image.ts';
import type { AnalysisReport } from '../src/engine/analysis/index.ts';
import { browserModelStore } from '../src/engine/models/browser-store.ts';
import { ModelRegistry } from '../src/engine/models/registry.ts';
import type { StageResult } from '../src/engine/pipeline/pipeline.ts';
import type { StageRequest } from '../src/engine/pipeline/stage.ts';
import type { OrtModule, RuntimeInfo } from '../src/engine/runtime/types.ts';
import { WebRuntime, type BackendPreference } from '../src/engine/runtime/web-backend.ts';
import { RestorationService, type RunCallbacks } from '../src/engine/service/restoration-service.ts';
import { stageRegistry } from '../src/stages/index.ts';

export interface WorkerInit {
  /** Absolute URL of the models folder (same origin). */
  modelsUrl: string;
  backend?: BackendPreference;
  modelOverrides?: Record<string, string>;
  /** WASM threads, instead of the runtime's own choice (the bench). */
  threads?: number;
}

let service: RestorationService | undefined;

function ready(): RestorationService {
  if (!service) throw new Error('Worker not initialised');
  return service;
}

const api = {
  async init(init: WorkerInit): Promise<RuntimeInfo> {
    // Imported here, not at the top: ORT's own thread workers would otherwise reload this whole bundle.
    const ortModule = await import('onnxruntime-web');
    const ort = ((ortModule as { default?: OrtModule }).default ?? ortModule) as OrtModule;
    const registry = new ModelRegistry(browserModelStore(init.modelsUrl));
    const runtime = new WebRuntime(ort, registry, init.backend ?? 'auto', undefined, init.threads);
    await runtime.init();
    service = new RestorationService(runtime, registry, stageRegistry, { modelOverrides: init.modelOverrides });
    return runtime.info;
  },

  runtimeInfo(): RuntimeInfo {
    return ready().runtime.info;
  },

  /** Creates and first-runs every model's session in the background (RestorationService.warmUp). */
  warmUp(): Promise<void> {
    return ready().warmUp();
  },

  analyze(image: RGBAImage): Promise<AnalysisReport> {
    return ready().analyze(image);
  },

  /** Runs the stages; each stage result is transferred as soon as it is done, then dropped here. */
  async run(image: RGBAImage, requests: StageRequest[], callbacks: RunCallbacks, analysis?: AnalysisReport): Promise<void> {
    // Callbacks travel on their own port, unordered with this call's reply: wait until every
    // stage result has been delivered before reporting the run as finished.
    const deliveries: Array<unknown> = [];
    await ready().run(
      image,
      requests,
      {
        onProgress: callbacks.onProgress,
        onModelDownload: callbacks.onModelDownload,
        onStage: (r: StageResult) => {
          // The next stage still reads r.image, so hand over a copy; the change map is ours to give.
          const image = { ...r.image, data: r.image.data.slice() };
          deliveries.push(callbacks.onStage?.(Comlink.transfer({ ...r, image }, [image.data.buffer, r.changeMap.buffer])));
        },
      },
      analysis,
    );
    await Promise.all(deliveries);
  },
};

export type RestoreWorkerApi = typeof api;

Comlink.expose(api);
