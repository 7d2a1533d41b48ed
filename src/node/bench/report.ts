/**
 * The benchmark result shared by the Node bench, the browser page and the CLI
 * that prints it. Plain data (JSON-safe), no Node or DOM imports, so the page
 * bundle can use it too.
 */
import type { RuntimeInfo } from '../../engine/runtime/types.ts';

export type BenchBackend = 'node' | 'wasm' | 'webgpu';

/** Stages run when --stages auto proposes nothing: every stage that runs without a mask. */
export const DEFAULT_STAGES = ['colour', 'deblur', 'denoise'];

export interface BenchStage {
  stage: string;
  method: 'model' | 'classical';
  /** "id@version" when a model ran. */
  model?: string;
  strength: number;
  ms: number;
  mpPerSec: number;
  /** Tiles (units of work) the stage reported. */
  tiles?: number;
}

export interface BenchProposal {
  stage: string;
  strength: number;
  why: string;
}

export interface BenchMemory {
  /** Peak resident memory in MB: Node, the process; browser, the sum over the whole Chromium process tree. */
  peakRssMB: number;
  /** How the peak was sampled. */
  sampler: string;
  /** Node only: process.resourceUsage().maxRSS (whole process lifetime, includes start-up). */
  maxRssMB?: number;
  /** Browser only: peak of the summed proportional set size (shared pages split between processes). */
  peakPssMB?: number;
  /** Browser only: peak JS heap of the page's main thread (CDP Performance.getMetrics; excludes the worker). */
  peakPageJsHeapMB?: number;
  samples: number;
}

export interface BenchResult {
  tool: 'heirloom-bench';
  backend: BenchBackend;
  megapixels: number;
  width: number;
  height: number;
  seed: number;
  stagesMode: 'auto' | 'list';
  /** What the analysis proposed (auto mode), even when the default list had to be used instead. */
  proposals?: BenchProposal[];
  /** Why the stage list is what it is. */
  stagesNote?: string;
  modelOverrides?: Record<string, string>;
  runtime: RuntimeInfo & Record<string, unknown>;
  generateMs: number;
  /** Warm-up pipeline run on a small photo: loads the runtime and model sessions so they are not in stage times. */
  warmupMs: number;
  analyzeMs: number;
  stages: BenchStage[];
  /** Analysis + pipeline, on the full photo. */
  total: { ms: number; mpPerSec: number; pipelineMs: number; pipelineMpPerSec: number };
  peakRssMB: number;
  memory: BenchMemory;
  /** Wall time of the whole bench, start-up included. */
  wallMs: number;
  env: Record<string, unknown>;
  /** The same photo and stages through onnxruntime-node in the same bench run (browser backends). */
  nodeReference?: NodeReference;
}

export interface NodeReference {
  threads: unknown;
  analyzeMs: number;
  stages: Array<{ stage: string; ms: number }>;
  totalMs: number;
}

export function nodeReferenceOf(r: BenchResult): NodeReference {
  return { threads: r.runtime.threads, analyzeMs: r.analyzeMs, stages: r.stages.map((s) => ({ stage: s.stage, ms: s.ms })), totalMs: r.total.ms };
}

export const round = (v: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export function mpPerSec(pixels: number, ms: number): number {
  return ms > 0 ? round(pixels / 1e6 / (ms / 1000), 3) : 0;
}

/** Parses "task=id,task=id". */
export function parseModelOverrides(spec?: string | null): Record<string, string> | undefined {
  if (!spec) return undefined;
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const [task, id] = part.split('=').map((s) => s.trim());
    if (!task || !id) throw new Error(`--model expects task=modelId[,task=modelId], got "${spec}"`);
    out[task] = id;
  }
  return out;
}

/** "auto" or a comma list. */
export function parseStages(spec?: string | null): 'auto' | string[] {
  if (!spec || spec === 'auto') return 'auto';
  const list = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('--stages needs "auto" or a comma-separated list of stages');
  return list;
}

/**
 * The stage requests of a bench run: the analysis proposals in auto mode, or
 * DEFAULT_STAGES when it proposes nothing; the given list otherwise.
 */
export function chooseRequests(
  stages: 'auto' | string[],
  proposals: BenchProposal[],
  known: string[],
): { requests: Array<{ stage: string; options: { strength?: number } }>; note?: string } {
  if (stages !== 'auto') {
    for (const s of stages) if (!known.includes(s)) throw new Error(`Unknown stage "${s}". Known: ${known.join(', ')}`);
    return { requests: stages.map((stage) => ({ stage, options: {} })) };
  }
  if (proposals.length > 0) return { requests: proposals.map((p) => ({ stage: p.stage, options: { strength: p.strength } })) };
  const list = DEFAULT_STAGES.filter((s) => known.includes(s));
  return {
    requests: list.map((stage) => ({ stage, options: {} })),
    note: `analysis proposed nothing; ran the default list ${list.join(',')}`,
  };
}

/** Human-readable summary lines. */
export function formatReport(r: BenchResult): string[] {
  const rt = r.runtime;
  const lines = [
    `photo: ${r.width}x${r.height} (${r.megapixels} MP, seed ${r.seed})`,
    `runtime: ${rt.runtime} backend=${rt.backend} threads=${rt.threads} crossOriginIsolated=${rt.crossOriginIsolated}` +
      `${rt.adapter ? ` adapter="${rt.adapter}"` : ''}${rt.fallbackReason ? ` fallback="${rt.fallbackReason}"` : ''}`,
  ];
  if (r.proposals) lines.push(`proposed: ${r.proposals.map((p) => `${p.stage}@${round(p.strength)}`).join(', ') || '(nothing)'}`);
  if (r.stagesNote) lines.push(`note: ${r.stagesNote}`);
  lines.push(`generate ${fmtMs(r.generateMs)}, warm-up ${fmtMs(r.warmupMs)}`);
  const ref = r.nodeReference;
  // "  2.1x node (12.3 s)": this time over onnxruntime-node's for the same work in the same run
  const vsNode = (ms: number, refMs?: number) => (refMs ? `  ${(ms / refMs).toFixed(2)}x node (${fmtMs(refMs)})` : '');
  lines.push(`analyze  ${fmtMs(r.analyzeMs).padStart(9)}  ${mpPerSec(r.width * r.height, r.analyzeMs).toFixed(2).padStart(8)} MP/s${vsNode(r.analyzeMs, ref?.analyzeMs)}`);
  for (const s of r.stages) {
    const how = s.method === 'model' ? `model ${s.model}` : 'classical';
    lines.push(
      `${s.stage.padEnd(8)} ${fmtMs(s.ms).padStart(9)}  ${s.mpPerSec.toFixed(2).padStart(8)} MP/s  ${how}, strength ${round(s.strength)}` +
        `${s.tiles !== undefined ? `, ${s.tiles} tiles` : ''}${vsNode(s.ms, ref?.stages.find((x) => x.stage === s.stage)?.ms)}`,
    );
  }
  lines.push(`total    ${fmtMs(r.total.ms).padStart(9)}  ${r.total.mpPerSec.toFixed(2).padStart(8)} MP/s  (pipeline ${fmtMs(r.total.pipelineMs)}, ${r.total.pipelineMpPerSec.toFixed(2)} MP/s)${vsNode(r.total.ms, ref?.totalMs)}`);
  if (ref) lines.push(`node reference: onnxruntime-node, ${ref.threads} threads, same photo, stages and model files`);
  const m = r.memory;
  lines.push(
    `peak RSS ${m.peakRssMB.toFixed(0)} MB (${m.sampler}, ${m.samples} samples)` +
      `${m.maxRssMB !== undefined ? `, maxRSS ${m.maxRssMB.toFixed(0)} MB` : ''}` +
      `${m.peakPssMB !== undefined ? `, peak PSS ${m.peakPssMB.toFixed(0)} MB` : ''}` +
      `${m.peakPageJsHeapMB !== undefined ? `, page JS heap ${m.peakPageJsHeapMB.toFixed(0)} MB` : ''}`,
  );
  lines.push(`wall ${fmtMs(r.wallMs)}`);
  return lines;
}

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}
