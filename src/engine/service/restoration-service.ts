/**
 * The restoration service: runtime, model registry, analysis and pipeline behind
 * one small API. The Web Worker exposes it with comlink; the CLI and the tests
 * call it directly, so every caller shares the same code path.
 */
import { createPlanar, type RGBAImage } from '../image.ts';
import { analyzePhoto, judgeColour, damageVerdict, sampleDamage, sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict, withColourPlanVerdict, type AnalysisReport } from '../analysis/index.ts';
import type { ModelRegistry, ProgressFn } from '../models/registry.ts';
import { runPipeline, type PipelineProgress, type StageRegistry, type StageResult } from '../pipeline/pipeline.ts';
import type { StageRequest } from '../pipeline/stage.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { findCameraShake } from '../classical/camera-shake.ts';

export interface ModelDownload {
  modelId: string;
  loaded: number;
  total: number;
}

export interface RunCallbacks {
  onProgress?(p: PipelineProgress): void;
  onModelDownload?(d: ModelDownload): void;
  onStage?(r: StageResult): void;
}

export interface ServiceOptions {
  /** Use this model id for a task instead of the newest shipped one (tests, A/B). */
  modelOverrides?: Record<string, string>;
}

/** The analysis, and the tasks whose model ships but could not be loaded for it. */
export type ServiceAnalysis = AnalysisReport & { missingModels?: string[] };

export class RestorationService {
  private runners = new Map<string, Promise<ModelRunner | null>>();
  private stopRequested = false;

  constructor(
    readonly runtime: Runtime,
    readonly registry: ModelRegistry,
    readonly stages: StageRegistry,
    private options: ServiceOptions = {},
  ) {}

  /**
   * The classical measurements; where the models ship, the colour model's, the deblurrer's and the
   * detector's judgement; and trusted camera shake (remembered by content for the sharpen stage).
   */
  async analyze(image: RGBAImage): Promise<ServiceAnalysis> {
    // A model that ships but could not be loaded (offline before it was ever saved) is left out and
    // named in `missingModels`, so the app can analyse again once it has it.
    const missing: string[] = [];
    const model = (task: string) => this.runner(task).catch(() => (missing.push(task), null));
    let report = analyzePhoto(image);
    const colour = await model('colour');
    report = withColourPlanVerdict(report, await judgeColour(image, colour));
    const deblur = await model('deblur');
    if (deblur) report = withBlurModelVerdict(report, await sharpeningGain(image, deblur));
    report = withCameraShakeVerdict(report, () => findCameraShake(image));
    const detector = await model('detect');
    if (detector) report.defects.push(damageVerdict(await sampleDamage(image, detector), report.measurements.noiseSigma));
    return missing.length ? { ...report, missingModels: missing } : report;
  }

  /**
   * Creates every model's session and runs it once on a small tile, so the first analysis and the
   * first restore do not pay for it (session creation and the first run's set-up took 12-18 s of
   * WASM for the five models). Failures are left for the real call to report.
   */
  async warmUp(): Promise<void> {
    const tasks = ['colour', 'deblur', 'detect', ...this.stages.all().map((s) => s.meta.modelTask)];
    for (const task of new Set(tasks)) {
      if (!task) continue;
      const runner = await this.runner(task).catch(() => null);
      if (!runner) continue;
      const side = Math.max(32, 2 * runner.entry.sizeMultiple), tile = createPlanar(side, side, runner.entry.io.channels + (runner.entry.io.mask ? 1 : 0));
      await runner.run(tile).catch(() => undefined);
    }
  }

  /** Runner for a task, created once and reused; null when no model ships for it. */
  runner(task: string, onDownload?: (d: ModelDownload) => void): Promise<ModelRunner | null> {
    let p = this.runners.get(task);
    if (!p) {
      p = (async () => {
        const override = this.options.modelOverrides?.[task];
        const entry = override ? await this.registry.byId(override) : await this.registry.forTask(task);
        if (!entry) return null;
        const progress: ProgressFn = (loaded, total) => onDownload?.({ modelId: entry.id, loaded, total });
        return this.runtime.createRunner(entry, progress);
      })();
      this.runners.set(task, p);
      p.catch(() => this.runners.delete(task));
    }
    return p;
  }

  /** Cooperative cancel (the CLI); the browser terminates the worker instead, which is immediate. */
  requestStop(): void {
    this.stopRequested = true;
  }

  async run(
    image: RGBAImage,
    requests: StageRequest[],
    callbacks: RunCallbacks = {},
    analysis?: AnalysisReport,
  ): Promise<StageResult[]> {
    this.stopRequested = false;
    return runPipeline(image, requests, this.stages, {
      runner: (task) => this.runner(task, callbacks.onModelDownload),
      onProgress: callbacks.onProgress,
      onStage: callbacks.onStage,
      shouldStop: () => this.stopRequested,
      analysis: analysis ?? (await this.analyze(image)),
    });
  }
}
