/**
 * The restoration service: runtime, model registry, analysis and pipeline behind
 * one small API. The Web Worker exposes it with comlink; the CLI and the tests
 * call it directly, so every caller shares the same code path.
 */
import { createPlanar, type RGBAImage } from '../image.ts';
import { analyzePhoto, inDefectOrder, type AnalysisReport } from '../analysis/index.ts';
import type { ModelRegistry, ProgressFn } from '../models/registry.ts';
import { runPipeline, type PipelineProgress, type StageRegistry, type StageResult } from '../pipeline/pipeline.ts';
import type { AnalysisContext, KeptFinding, StageRequest } from '../pipeline/stage.ts';
import { inlineWork, type OffThreadWork } from '../classical/off-thread.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { damageProbabilities } from '../damage/detect.ts';
import { probabilityNearStroke, snapToDamage } from '../damage/snap.ts';
import { composeHeld, runRegions, type HeldLayers, type LayerSpec, type ReviewDecisions, type ReviewedStage, type ReviewRegion } from '../review/index.ts';

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
  /** Where classical work may run beside the models (the browser's second worker); inline by default. */
  offThread?: OffThreadWork;
}

/** The analysis, and the tasks whose model ships but could not be loaded for it. */
export type ServiceAnalysis = AnalysisReport & { missingModels?: string[] };

export class RestorationService {
  private runners = new Map<string, Promise<ModelRunner | null>>();
  /** What the stages' analyses of a photo kept, for its run: by the photo itself, which the worker holds for both. */
  private findings = new WeakMap<RGBAImage, Map<string, KeptFinding>>();
  private stopRequested = false;
  /** The layers of the run under review, so each decision sends only the decisions. */
  private held?: { key: string; original: RGBAImage; images: RGBAImage[]; regions?: ReviewRegion[] };

  constructor(
    readonly runtime: Runtime,
    readonly registry: ModelRegistry,
    readonly stages: StageRegistry,
    private options: ServiceOptions = {},
  ) {}

  /** Where the analysis' classical searches run (`ServiceOptions.offThread`). */
  private get offThread(): OffThreadWork {
    return this.options.offThread ?? inlineWork;
  }

  /**
   * The classical measurements, then each stage's own judgement (its `analyse`, in pipeline order):
   * where the models ship, the colour model's, the deblurrer's and the detector's.
   */
  async analyze(image: RGBAImage): Promise<ServiceAnalysis> {
    // A model that ships but could not be loaded (offline before it was ever saved) is left out and
    // named in `missingModels`, so the app can analyse again once it has it.
    const missing: string[] = [];
    const model = (task: string) => this.runner(task).catch(() => (missing.push(task), null));
    const kept = new Map<string, KeptFinding>();
    this.findings.set(image, kept);
    let report = analyzePhoto(image, this.stages.all());
    const offThread = this.offThread;
    // Every stage's start first, so that what they start off this thread overlaps the models after them.
    const started = new Map<string, unknown>();
    for (const stage of this.stages.all()) if (stage.start) started.set(stage.meta.id, await stage.start(image, report, { model, offThread }));
    for (const stage of this.stages.all()) {
      if (!stage.analyse) continue;
      const keep: AnalysisContext['keep'] = (value, opts) => kept.set(stage.meta.id, { value, survivesEarlierStages: !!opts?.survivesEarlierStages });
      report = await stage.analyse(image, report, { model, keep, offThread, started: started.get(stage.meta.id) });
    }
    report = inDefectOrder(report);
    return missing.length ? { ...report, missingModels: missing } : report;
  }

  /**
   * The damage under a brush stroke (engine/damage/snap.ts), on a crop around it: the detector
   * runs only on the crop's blocks that the stroke crosses. Without the detector (none ships,
   * or it could not be loaded) the local contrast alone decides; `detector` says which.
   */
  async snapStroke(crop: RGBAImage, stroke: Uint8Array, radius: number): Promise<{ mask: Uint8Array; detector: boolean }> {
    const runner = await this.runner('detect').catch(() => null);
    const probability = runner
      ? await probabilityNearStroke(crop, stroke, async (tile) => {
          const probs = await damageProbabilities(tile, runner);
          const n = tile.width * tile.height;
          // Either class: a small tear under the stroke is damage too.
          return probs.data.subarray(0, n).map((v, i) => Math.max(v, probs.data[n + i]));
        })
      : undefined;
    return { mask: snapToDamage(crop, stroke, { radius, probability }), detector: !!runner };
  }

  /**
   * Creates every model's session and runs it once on a small tile, so the first analysis and the
   * first restore do not pay for it (session creation and the first run's set-up took 12-18 s of
   * WASM for the five models). Failures are left for the real call to report.
   */
  async warmUp(): Promise<void> {
    // Every task the manifest ships a model for (the fill stage uses two: detect and fill).
    const tasks = new Set((await this.registry.manifest()).models.filter((m) => !m.testOnly).map((m) => m.task));
    for (const task of tasks) {
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

  /**
   * The review's regions of a run (runRegions), from its stages' change maps: full-resolution work
   * kept off the page. With the key of the layers held here, they are held with them too.
   */
  findRegions(stages: Pick<ReviewedStage, 'stage' | 'changeMap' | 'control'>[], width: number, height: number, key?: string): ReviewRegion[] {
    const regions = runRegions(stages, width, height);
    if (key && this.held?.key === key) this.held.regions = regions;
    return regions;
  }

  /**
   * Keeps a run's layers under `key` for `composeReview`: all of them (replacing any held), or
   * only the regions for the layers already held (kept at the end of a run, before its regions are known).
   */
  holdReview(key: string, parts: Partial<HeldLayers>): void {
    if (parts.original && parts.images) this.held = { key, original: parts.original, images: parts.images, regions: parts.regions };
    else if (this.held?.key === key) this.held.regions = parts.regions ?? this.held.regions;
    else throw new Error('No layers are held for this review.');
  }

  /** The reviewed photo, from the held layers and the decisions (see engine/review). */
  composeReview(key: string, stages: LayerSpec[], decisions: ReviewDecisions, marking?: string): { image: RGBAImage; changed: number } {
    const held = this.held;
    if (held?.key !== key || !held.regions) throw new Error('No layers are held for this review.');
    return composeHeld({ original: held.original, images: held.images, regions: held.regions }, stages, decisions, marking);
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
      findings: this.findings.get(image),
    });
  }
}
