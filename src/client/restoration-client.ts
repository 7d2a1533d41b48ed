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
import type { ModelDownload } from '../engine/service/restoration-service.ts';
import type { RestoreWorkerApi, WorkerInit } from '../../workers/restore.worker.ts';

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

  constructor(private init: WorkerInit) {
    this.start();
  }

  private start() {
    this.worker = new Worker(new URL('../../workers/restore.worker.ts', import.meta.url), { type: 'module', name: 'restore' });
    this.api = Comlink.wrap<RestoreWorkerApi>(this.worker);
    this.info = this.api.init(this.init);
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

  async analyze(image: RGBAImage): Promise<AnalysisReport> {
    await this.info;
    return this.api.analyze(image);
  }

  /** Runs the pipeline; resolves with every stage result, or rejects with CancelledError after cancel(). */
  async run(image: RGBAImage, requests: StageRequest[], handlers: RunHandlers = {}, analysis?: AnalysisReport): Promise<StageResult[]> {
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
      await Promise.race([this.api.run(image, requests, callbacks, analysis), cancelled]);
      return results;
    } finally {
      this.rejectRun = undefined;
    }
  }

  /** Stops a run at once: the worker is terminated and replaced. */
  cancel(): void {
    this.worker.terminate();
    this.rejectRun?.(new CancelledError());
    this.start();
  }

  dispose(): void {
    this.worker.terminate();
  }
}
