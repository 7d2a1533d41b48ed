/**
 * Main-thread handle on the restoration worker. Cancel terminates the worker
 * (the only way to stop a WASM kernel mid-tile) and starts a fresh one, so the
 * app stays usable; results already received are kept by the caller.
 */
import * as Comlink from 'comlink';
import type { RGBAImage } from '../engine/image.ts';
import type { AnalysisReport } from '../engine/analysis/index.ts';
import type { PipelineProgress, StageResult } from '../engine/pipeline/pipeline.ts';
import type { StageRequest } from '../engine/pipeline/stage.ts';
import type { RuntimeInfo } from '../engine/runtime/types.ts';
import type { HeldLayers, LayerSpec, ReviewDecisions, ReviewedStage, ReviewRegion } from '../engine/review/index.ts';
import type { ModelDownload } from '../engine/service/restoration-service.ts';
import type { RestoreWorkerApi, WorkerInit } from './restore.worker.ts';

export class CancelledError extends Error {
  constructor() {
    super('Restoration cancelled');
    this.name = 'AbortError';
  }
}

export interface RunHandlers {
  onProgress?(p: PipelineProgress): void;
  onModelDownload?(d: ModelDownload): void;
  onStage?(r: StageResult): void;
}

export class RestorationClient {
  private worker!: Worker;
  private api!: Comlink.Remote<RestoreWorkerApi>;
  private info!: Promise<RuntimeInfo>;
  private rejectRun?: (e: Error) => void;
  /** Snaps and compositions in flight: a cancel ends the worker they wait on. */
  private rejectPending = new Set<(e: Error) => void>();
  /** The review whose layers this worker holds, and whether it has its regions too. */
  private held?: { key: string; regions: boolean };
  /** Each photo's handle; the worker holds one photo, the one named in `opened`. */
  private handles = new WeakMap<RGBAImage, string>();
  private opened?: string;
  private nextHandle = 0;

  constructor(private init: WorkerInit) {
    this.start();
  }

  private start() {
    this.worker = new Worker(new URL('./restore.worker.ts', import.meta.url), { type: 'module', name: 'restore' });
    this.api = Comlink.wrap<RestoreWorkerApi>(this.worker);
    this.info = this.api.init(this.init);
    this.held = undefined;
    this.opened = undefined;
  }

  /** The runtime in use now: a session may have fallen back from WebGPU since start-up. */
  async runtimeInfo(): Promise<RuntimeInfo> {
    await this.info;
    return this.api.runtimeInfo();
  }

  /** Prepares every model's session ahead of the first photo; analysis and runs wait on what is under way. */
  async warmUp(): Promise<void> {
    await this.info;
    return this.api.warmUp();
  }

  /**
   * The photo's handle in the worker, sending the photo first if the worker does not hold it (a
   * new photo, or a worker started afresh): the photo crosses to the worker once, not per call.
   */
  private async open(image: RGBAImage): Promise<string> {
    let handle = this.handles.get(image);
    if (!handle) this.handles.set(image, (handle = `photo-${++this.nextHandle}`));
    if (this.opened !== handle) {
      await this.api.open(handle, image);
      this.opened = handle;
    }
    return handle;
  }

  async analyze(image: RGBAImage): Promise<AnalysisReport> {
    await this.info;
    return this.api.analyze(await this.open(image));
  }

  /** The damage under a brush stroke, on a crop around it (see engine/damage/snap.ts). */
  async snapStroke(crop: RGBAImage, stroke: Uint8Array, radius: number): Promise<{ mask: Uint8Array; detector: boolean }> {
    await this.info;
    return this.untilCancelled(() => this.api.snapStroke(crop, stroke, radius));
  }

  /**
   * The review's regions of a run's stages, found in the worker (they scan every pixel of each change
   * map). With the key of the layers the worker holds (a run that kept them), it keeps the regions
   * with them, so composing that review need not send them back.
   */
  async findRegions(stages: Pick<ReviewedStage, 'stage' | 'changeMap' | 'control'>[], width: number, height: number, key?: string): Promise<ReviewRegion[]> {
    await this.info;
    // Copies: the page keeps its change maps (they are saved with the project).
    const maps = stages.map(({ stage, changeMap, control }) => ({ stage, changeMap, control }));
    const regions = await this.untilCancelled(() => this.api.findRegions(maps, width, height, key));
    if (key && this.held?.key === key) this.held.regions = true;
    return regions;
  }

  /**
   * The reviewed photo, composed in the worker from the review's layers: sent once (a run that
   * kept them left them there already), then only the decisions. Rejects with CancelledError
   * if the worker is replaced meanwhile.
   */
  async composeReview(key: string, layers: () => HeldLayers, stages: LayerSpec[], decisions: ReviewDecisions, marking?: string): Promise<{ image: RGBAImage; changed: number }> {
    await this.info;
    return this.untilCancelled(async () => {
      if (this.held?.key !== key) {
        this.held = undefined;
        await this.api.holdReview(key, layers());
        this.held = { key, regions: true };
      } else if (!this.held.regions) {
        await this.api.holdReview(key, { regions: layers().regions });
        this.held.regions = true;
      }
      return this.api.composeReview(key, stages, decisions, marking);
    });
  }

  private async untilCancelled<T>(call: () => Promise<T>): Promise<T> {
    let reject!: (e: Error) => void;
    const cancelled = new Promise<never>((_, r) => this.rejectPending.add((reject = r)));
    try {
      return await Promise.race([call(), cancelled]);
    } finally {
      this.rejectPending.delete(reject);
    }
  }

  /**
   * Runs the pipeline; resolves with every stage result, or rejects with CancelledError after cancel().
   * With `keep`, the worker keeps the run's layers as that review's (see composeReview).
   */
  async run(image: RGBAImage, requests: StageRequest[], handlers: RunHandlers = {}, analysis?: AnalysisReport, keep?: string): Promise<StageResult[]> {
    await this.info;
    const results: StageResult[] = [];
    const callbacks = Comlink.proxy({
      onProgress: (p: PipelineProgress) => handlers.onProgress?.(p),
      onModelDownload: (d: ModelDownload) => handlers.onModelDownload?.(d),
      onStage: (r: StageResult) => {
        results.push(r);
        handlers.onStage?.(r);
      },
    });
    const cancelled = new Promise<never>((_, reject) => (this.rejectRun = reject));
    try {
      // The analysed photo runs from the worker's copy; a crop (a redo, a marked fill) travels with the call.
      const source = this.handles.has(image) ? this.open(image) : Promise.resolve(image);
      await Promise.race([source.then((s) => this.api.run(s, requests, callbacks, analysis, keep)), cancelled]);
      if (keep) this.held = { key: keep, regions: false };
      return results;
    } finally {
      this.rejectRun = undefined;
    }
  }

  /** Stops a run at once: the worker is terminated and replaced. */
  cancel(): void {
    this.worker.terminate();
    this.rejectRun?.(new CancelledError());
    for (const reject of this.rejectPending) reject(new CancelledError());
    this.start();
  }

  dispose(): void {
    this.worker.terminate();
    for (const reject of this.rejectPending) reject(new CancelledError());
  }
}
