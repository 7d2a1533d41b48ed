/**
 * The contract between the pipeline and a restoration stage. The pipeline knows
 * stages only through this: each stage lives in its own folder under src/stages/
 * with `meta.ts` (what it is, its defaults), `worker.ts` (how it runs, inside the
 * worker or the CLI) and `client.tsx` (its options in the UI).
 */
import type { RGBAImage } from '../image.ts';
import type { AnalysisReport, ClassicalJudge } from '../analysis/index.ts';
import type { ModelEntry } from '../models/manifest.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import type { OffThreadWork } from '../classical/off-thread.ts';

export interface StageMeta {
  id: string;
  label: string;
  /** One plain sentence for the user. */
  description: string;
  /** Position in the fixed pipeline order (detection 10, fill 20, colour 30, deblur 40, denoise 50). */
  order: number;
  /** What the user tunes: a strength slider, or a mask (fill). */
  control: 'strength' | 'mask';
  /** Manifest task of the model this stage uses when one ships; the classical method runs otherwise. */
  modelTask?: string;
  /**
   * 'global' stages compute their correction from the whole photo (colour levels):
   * a region is redone by running them on the whole photo. 'local' ones (default)
   * are redone on a crop around the region.
   */
  scope?: 'local' | 'global';
  /**
   * The stage can put content in the photo that was not there (the fill of a missing area): the
   * export record says so, and the review treats its regions as damage it mends.
   */
  generates?: boolean;
  /** Ids the stage had before (saved projects and scripts may still name it so). */
  aliases?: string[];
  defaults: StageOptions;
}

export interface StageOptions {
  /** 0 = leave the photo untouched, 1 = full effect. */
  strength: number;
  /** Force the classical method even if a model is available. */
  classical?: boolean;
  /** Colour stage: make a toned print (sepia, cyanotype...) neutral grey; never the default. */
  neutralise?: boolean;
  /** Fill stage: follow the cracks the detector found further along bright thin lines (engine/damage/follow-cracks.ts); never the default. */
  followCracks?: boolean;
}

export interface StageRequest {
  stage: string;
  options?: Partial<StageOptions>;
  /** For mask-driven stages: width*height bytes, non-zero = process this pixel. */
  mask?: Uint8Array;
}

export interface StageContext {
  /** Model runner for the stage's task, or null when none ships (use the classical method). */
  runner(task: string): Promise<ModelRunner | null>;
  /** Called after every tile (or unit of work) of this stage. */
  progress(done: number, total: number): void;
  /** True once a cancel was requested; long loops check it between tiles. */
  shouldStop(): boolean;
  analysis?: AnalysisReport;
  /** What this stage's analysis kept, when the stage runs on the very photo that was analysed (and no stage before it changed it, unless the finding survives that: `AnalysisContext.keep`). */
  finding?: { value: unknown };
}

/** A context outside a pipeline run (analysis, evaluation): one runner (or none), no progress, no cancel. */
export function standaloneContext(runner: ModelRunner | null): StageContext {
  return { runner: async () => runner, progress: () => {}, shouldStop: () => false };
}

export interface StageOutput {
  image: RGBAImage;
  /** How it was done, for the review and the edit record. */
  method: 'model' | 'classical';
  model?: Pick<ModelEntry, 'id' | 'version'>;
  /** How, in a few words, where `method` alone does not say (the deblur stage's deconvolution of camera shake). */
  detail?: string;
  /** Mask-driven stages: the pixels they were allowed to change. */
  mask?: Uint8Array;
  /**
   * A stage's own account of what it changed, one byte a pixel (the fill: its damage
   * map, engine/damage/damage-map.ts). Without it the pipeline measures the change.
   */
  changeMap?: Uint8Array;
  /** The fill without a mask: which detector found the damage. */
  detectedBy?: 'model' | 'classical';
}

/** What a stage's analysis may use beside the photo. */
export interface AnalysisContext {
  /** Model runner for a task, or null when none ships or it could not be loaded (then it is named in the report). */
  model(task: string): Promise<ModelRunner | null>;
  /**
   * Keeps what the stage found for its run on this same photo (`StageContext.finding`): by default only
   * while no earlier stage has changed the photo's pixels; with `survivesEarlierStages`, also after
   * (a camera shake's kernel: filling scratches and correcting colour leave the blur as it was).
   */
  keep(finding: unknown, opts?: { survivesEarlierStages?: boolean }): void;
  /** Classical work that may run beside the models (`OffThreadWork`); done inline when absent. */
  offThread?: OffThreadWork;
  /** What the stage's `start` returned for this analysis. */
  started?: unknown;
}

/** A finding the analysis kept, and whether it still holds once earlier stages have changed the photo. */
export interface KeptFinding {
  value: unknown;
  survivesEarlierStages: boolean;
}

/** `judge`: the stage's verdicts from the classical measurements alone (analyzePhoto). */
export interface StageImpl extends ClassicalJudge {
  meta: StageMeta;
  /**
   * The stage's own judgement of the photo: given the classical measurements and what the stages
   * before it (in pipeline order) said, it returns the report with its verdicts added or replaced,
   * and proposes itself through them (`proposedStage`).
   */
  analyse?(image: RGBAImage, report: AnalysisReport, ctx: AnalysisContext): Promise<AnalysisReport>;
  /**
   * The part of the stage's analysis that runs before any stage analyses (in pipeline order, each
   * awaited): where it starts work off the worker's thread (`ctx.offThread`), that work runs beside
   * the models of the stages ahead of it. What it returns reaches `analyse` as `ctx.started`.
   */
  start?(image: RGBAImage, report: AnalysisReport, ctx: Pick<AnalysisContext, 'model' | 'offThread'>): Promise<unknown>;
  run(input: RGBAImage, options: StageOptions, ctx: StageContext, mask?: Uint8Array): Promise<StageOutput>;
}
