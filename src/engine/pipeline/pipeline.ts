/**
 * Runs a chosen list of stages in the fixed order their metadata gives, each on
 * the previous stage's output. The original is never written to: every stage
 * returns a new image. For each stage the result carries its output and its
 * per-pixel change map, which the review step turns into regions.
 */
import type { RGBAImage } from '../image.ts';
import type { AnalysisReport } from '../analysis/index.ts';
import type { ModelEntry } from '../models/manifest.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import { changedShare, changeMap } from './change-map.ts';
import type { KeptFinding, StageImpl, StageOptions, StageOutput, StageRequest } from './stage.ts';

export interface StageResult extends StageOutput {
  stage: string;
  options: StageOptions;
  changeMap: Uint8Array;
  /** Share of the pixels changed by more than 2/255. */
  changed: number;
  ms: number;
}

export interface PipelineProgress {
  stage: string;
  stageIndex: number;
  stageCount: number;
  done: number;
  total: number;
}

export interface PipelineHooks {
  runner(task: string): Promise<ModelRunner | null>;
  onProgress?(p: PipelineProgress): void;
  /** Each stage's result as soon as it is ready (the worker transfers it and forgets it). */
  onStage?(r: StageResult): void;
  shouldStop?(): boolean;
  analysis?: AnalysisReport;
  /** What each stage's analysis of `original` kept, by stage id. */
  findings?: ReadonlyMap<string, KeptFinding>;
}

export class StageRegistry {
  private stages = new Map<string, StageImpl>();
  private aliases = new Map<string, string>();
  constructor(stages: StageImpl[]) {
    for (const s of stages) {
      this.stages.set(s.meta.id, s);
      for (const a of s.meta.aliases ?? []) this.aliases.set(a, s.meta.id);
    }
  }
  /** The stage's id, from its id or a former one. */
  resolve(id: string): string {
    return this.aliases.get(id) ?? id;
  }
  get(id: string): StageImpl {
    const s = this.stages.get(this.resolve(id));
    if (!s) throw new Error(`Unknown stage "${id}". Known: ${this.ids().join(', ')}`);
    return s;
  }
  ids(): string[] {
    return this.all().map((s) => s.meta.id);
  }
  all(): StageImpl[] {
    return [...this.stages.values()].sort((a, b) => a.meta.order - b.meta.order);
  }
}

/** Puts requests in pipeline order (detection, fill, colour, deblur, denoise); duplicates are refused. */
export function orderRequests(registry: StageRegistry, given: StageRequest[]): StageRequest[] {
  const seen = new Set<string>();
  const requests = given.map((r) => ({ ...r, stage: registry.resolve(r.stage) }));
  for (const r of requests) {
    registry.get(r.stage);
    if (seen.has(r.stage)) throw new Error(`Stage "${r.stage}" requested twice.`);
    seen.add(r.stage);
  }
  return [...requests].sort((a, b) => registry.get(a.stage).meta.order - registry.get(b.stage).meta.order);
}

export async function runPipeline(
  original: RGBAImage,
  requests: StageRequest[],
  registry: StageRegistry,
  hooks: PipelineHooks,
): Promise<StageResult[]> {
  const ordered = orderRequests(registry, requests);
  const results: StageResult[] = [];
  let current = original;
  for (let i = 0; i < ordered.length; i++) {
    const req = ordered[i];
    const impl = registry.get(req.stage);
    const options: StageOptions = { ...impl.meta.defaults, ...req.options };
    options.strength = Math.min(1, Math.max(0, options.strength));
    const t0 = performance.now();
    const out = await impl.run(
      current,
      options,
      {
        runner: (task) => (options.classical ? Promise.resolve(null) : hooks.runner(task)),
        progress: (done, total) =>
          hooks.onProgress?.({ stage: req.stage, stageIndex: i, stageCount: ordered.length, done, total }),
        shouldStop: () => hooks.shouldStop?.() ?? false,
        analysis: hooks.analysis,
        finding: findingFor(hooks.findings?.get(req.stage), current === original),
      },
      req.mask,
    );
    if (out.image === current) throw new Error(`Stage ${req.stage} returned its input instead of a new image.`);
    const map = out.changeMap ?? changeMap(current, out.image);
    const result: StageResult = { ...out, stage: req.stage, options, changeMap: map, changed: changedShare(map), ms: performance.now() - t0 };
    results.push(result);
    hooks.onStage?.(result);
    current = out.image;
  }
  return results;
}

export type { ModelEntry };

/** The analysis' finding for a stage about to run, if it still holds for the photo the stage gets. */
function findingFor(kept: KeptFinding | undefined, unchanged: boolean): { value: unknown } | undefined {
  return kept && (unchanged || kept.survivesEarlierStages) ? { value: kept.value } : undefined;
}
