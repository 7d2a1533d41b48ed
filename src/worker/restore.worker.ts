/// <reference lib="webworker" />
/**
 * The restoration worker: all pixel work runs here, off the UI thread. It holds
 * the ONNX sessions; cancelling a run terminates this worker (immediate and
 * reliable) and the client starts a fresh one.
 */
import * as Comlink from 'comlink';
import type { RGBAImage } from '../engine/image.ts';
import type { AnalysisReport } from '../engine/analysis/index.ts';
import { browserModelStore } from '../engine/models/browser-store.ts';
import { ModelRegistry } from '../engine/models/registry.ts';
import type { StageResult } from '../engine/pipeline/pipeline.ts';
import type { StageRequest } from '../engine/pipeline/stage.ts';
import type { HeldLayers, LayerSpec, ReviewDecisions, ReviewedStage, ReviewRegion } from '../engine/review/index.ts';
import type { OrtModule, RuntimeInfo } from '../engine/runtime/types.ts';
import { WebRuntime, type BackendPreference } from '../engine/runtime/web-backend.ts';
import { RestorationService, type RunCallbacks } from '../engine/service/restoration-service.ts';
import { stageRegistry } from '../stages/index.ts';
import { offThreadClient } from './off-thread-client.ts';

/** What a call naming a photo this worker does not hold fails with (a fresh worker after a cancel): the client sends it again. */
const UNKNOWN_PHOTO = 'Photo not open in this worker';

export interface WorkerInit {
  /** Absolute URL of the models folder (same origin). */
  modelsUrl: string;
  backend?: BackendPreference;
  modelOverrides?: Record<string, string>;
  /** WASM threads, instead of the runtime's own choice (the bench). */
  threads?: number;
}

let service: RestorationService | undefined;
/** The photo the page has open: sent once, then named by its handle (the analysis and every run use this very copy). */
let photo: { handle: string; image: RGBAImage } | undefined;

function openPhoto(handle: string): RGBAImage {
  if (photo?.handle !== handle) throw new Error(`${UNKNOWN_PHOTO}: ${handle}`);
  return photo.image;
}

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
    service = new RestorationService(runtime, registry, stageRegistry, { modelOverrides: init.modelOverrides, offThread: offThreadClient() });
    return runtime.info;
  },

  runtimeInfo(): RuntimeInfo {
    return ready().runtime.info;
  },

  /** Creates and first-runs every model's session in the background (RestorationService.warmUp). */
  warmUp(): Promise<void> {
    return ready().warmUp();
  },

  /** Keeps the page's photo here under `handle` (replacing the one before). */
  open(handle: string, image: RGBAImage): void {
    photo = { handle, image };
  },

  analyze(handle: string): Promise<AnalysisReport> {
    return ready().analyze(openPhoto(handle));
  },

  async snapStroke(crop: RGBAImage, stroke: Uint8Array, radius: number): Promise<{ mask: Uint8Array; detector: boolean }> {
    const snapped = await ready().snapStroke(crop, stroke, radius);
    return Comlink.transfer(snapped, [snapped.mask.buffer]);
  },

  /**
   * Runs the stages; each stage result is transferred as soon as it is done. With `keep`, the input
   * and the stage outputs stay here as the layers of that review (`composeReview`); else they are dropped.
   */
  async run(source: string | RGBAImage, requests: StageRequest[], callbacks: RunCallbacks, analysis?: AnalysisReport, keep?: string): Promise<void> {
    // The open photo by its handle, or a crop sent with the call (a redone region, a marked fill).
    const image = typeof source === 'string' ? openPhoto(source) : source;
    // Callbacks travel on their own port, unordered with this call's reply: wait until every
    // stage result has been delivered before reporting the run as finished.
    const deliveries: Array<unknown> = [];
    const outputs: RGBAImage[] = [];
    await ready().run(
      image,
      requests,
      {
        onProgress: callbacks.onProgress,
        onModelDownload: callbacks.onModelDownload,
        onStage: (r: StageResult) => {
          // The next stage still reads r.image, so hand over a copy; the change map is ours to give.
          const image = { ...r.image, data: r.image.data.slice() };
          outputs.push(r.image);
          deliveries.push(callbacks.onStage?.(Comlink.transfer({ ...r, image }, [image.data.buffer, r.changeMap.buffer])));
        },
      },
      analysis,
    );
    await Promise.all(deliveries);
    if (keep) ready().holdReview(keep, { original: image, images: outputs });
  },

  findRegions(stages: Pick<ReviewedStage, 'stage' | 'changeMap' | 'control'>[], width: number, height: number, key?: string): ReviewRegion[] {
    return ready().findRegions(stages, width, height, key);
  },

  holdReview(key: string, parts: Partial<HeldLayers>): void {
    ready().holdReview(key, parts);
  },

  composeReview(key: string, stages: LayerSpec[], decisions: ReviewDecisions, marking?: string): { image: RGBAImage; changed: number } {
    const out = ready().composeReview(key, stages, decisions, marking);
    return Comlink.transfer(out, [out.image.data.buffer]);
  },
};

export type RestoreWorkerApi = typeof api;

Comlink.expose(api);
