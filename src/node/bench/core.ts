/**
 * The benchmark itself, independent of where it runs: make the photo, warm up,
 * analyse, run the (automatic) pipeline, time every stage. The Node bench drives
 * a RestorationService directly; the browser page drives the RestorationClient
 * (the app's real worker path). No Node or DOM imports here.
 */
import type { RGBAImage } from '../../engine/image.ts';
import { proposeStages, type AnalysisReport } from '../../engine/analysis/index.ts';
import type { PipelineProgress, StageResult } from '../../engine/pipeline/pipeline.ts';
import type { StageRequest } from '../../engine/pipeline/stage.ts';
import type { RuntimeInfo } from '../../engine/runtime/types.ts';
import { chooseRequests, mpPerSec, round, type BenchProposal, type BenchResult, type BenchStage } from './report.ts';
import { benchPhotoSize, makeBenchPhoto } from './bench-photo.ts';

/** What the bench needs from a RestorationService or a RestorationClient. */
export interface BenchTarget {
  analyze(image: RGBAImage): AnalysisReport | Promise<AnalysisReport>;
  run(
    image: RGBAImage,
    requests: StageRequest[],
    handlers: { onProgress?(p: PipelineProgress): void },
    analysis?: AnalysisReport,
  ): Promise<StageResult[]>;
  /** Runtime description after the run (a WebGPU fallback shows up only once a session was created). */
  runtimeInfo(): RuntimeInfo | Promise<RuntimeInfo>;
  knownStages: string[];
}

export interface CoreOptions {
  megapixels: number;
  seed?: number;
  stages: 'auto' | string[];
  /** Side of the warm-up photo (0 = no warm-up). */
  warmupSide?: number;
  log?(line: string): void;
  /** Every progress event (the page publishes it; the Node bench samples memory on it). */
  onProgress?(p: PipelineProgress): void;
}

export type CoreResult = Omit<BenchResult, 'backend' | 'memory' | 'peakRssMB' | 'wallMs' | 'env' | 'modelOverrides'>;

export async function runBenchCore(target: BenchTarget, opts: CoreOptions): Promise<CoreResult> {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 1;
  const { width, height } = benchPhotoSize(opts.megapixels);
  const pixels = width * height;

  let t = performance.now();
  const image = makeBenchPhoto(width, height, { seed });
  const generateMs = performance.now() - t;
  log(`generated ${width}x${height} (${round(pixels / 1e6, 2)} MP) in ${generateMs.toFixed(0)} ms`);

  // The proposals come from the full-size analysis below; the warm-up only needs the stage list,
  // so it analyses its own small photo.
  let warmupMs = 0;
  const warmupSide = opts.warmupSide ?? 256;
  if (warmupSide > 0) {
    t = performance.now();
    const small = makeBenchPhoto(warmupSide, warmupSide, { seed });
    const smallAnalysis = await target.analyze(small);
    const { requests } = chooseRequests(opts.stages, proposalsOf(smallAnalysis, target.knownStages), target.knownStages);
    // Auto mode: warm every stage that may run later, proposed or not (sessions are created once per task).
    const warm = opts.stages === 'auto' ? mergeRequests(requests, chooseRequests('auto', [], target.knownStages).requests) : requests;
    await target.run(small, warm, {}, smallAnalysis);
    warmupMs = performance.now() - t;
    log(`warm-up (${warmupSide}x${warmupSide}, ${warm.map((r) => r.stage).join(',')}) ${warmupMs.toFixed(0)} ms`);
  }

  t = performance.now();
  const analysis = await target.analyze(image);
  const analyzeMs = performance.now() - t;
  const proposals = proposalsOf(analysis, target.knownStages);
  log(`analyze ${analyzeMs.toFixed(0)} ms; proposed: ${proposals.map((p) => `${p.stage}@${round(p.strength)} (${p.why})`).join('; ') || 'nothing'}`);

  const { requests, note } = chooseRequests(opts.stages, proposals, target.knownStages);
  if (note) log(note);

  const tiles = new Map<string, number>();
  let lastPct = -1;
  let lastStage = '';
  t = performance.now();
  const results = await target.run(
    image,
    requests,
    {
      onProgress: (p) => {
        tiles.set(p.stage, p.total);
        opts.onProgress?.(p);
        const pct = Math.floor((100 * p.done) / p.total);
        if (p.stage !== lastStage || pct >= lastPct + 10 || p.done === p.total) {
          if (p.stage !== lastStage || pct !== lastPct) log(`  ${p.stage} [${p.stageIndex + 1}/${p.stageCount}] ${p.done}/${p.total} tiles (${pct}%)`);
          lastStage = p.stage;
          lastPct = pct;
        }
      },
    },
    analysis,
  );
  const pipelineMs = performance.now() - t;

  const stages: BenchStage[] = results.map((r) => ({
    stage: r.stage,
    method: r.method,
    model: r.model ? `${r.model.id}@${r.model.version}` : undefined,
    strength: r.options.strength,
    ms: round(r.ms, 1),
    mpPerSec: mpPerSec(pixels, r.ms),
    tiles: tiles.get(r.stage),
  }));
  const totalMs = analyzeMs + pipelineMs;
  return {
    tool: 'heirloom-bench',
    megapixels: round(pixels / 1e6, 3),
    width,
    height,
    seed,
    stagesMode: opts.stages === 'auto' ? 'auto' : 'list',
    proposals: opts.stages === 'auto' ? proposals : undefined,
    stagesNote: note,
    runtime: { ...(await target.runtimeInfo()) },
    generateMs: round(generateMs, 1),
    warmupMs: round(warmupMs, 1),
    analyzeMs: round(analyzeMs, 1),
    stages,
    total: {
      ms: round(totalMs, 1),
      mpPerSec: mpPerSec(pixels, totalMs),
      pipelineMs: round(pipelineMs, 1),
      pipelineMpPerSec: mpPerSec(pixels, pipelineMs),
    },
  };
}

function proposalsOf(analysis: AnalysisReport, order: readonly string[]): BenchProposal[] {
  return proposeStages(analysis, order).map((p) => ({ stage: p.stage, strength: round(p.strength, 3), why: p.why }));
}

function mergeRequests(a: StageRequest[], b: StageRequest[]): StageRequest[] {
  const seen = new Set(a.map((r) => r.stage));
  return [...a, ...b.filter((r) => !seen.has(r.stage))];
}
