/**
 * App state (zustand) and the actions that drive the restoration worker.
 * Pixel buffers live here too but are left out of `snapshot()`, the plain view
 * the tests read through `window.__heirloom.state()`.
 */
import { create } from 'zustand';
import { CancelledError } from '../client/restoration-client.ts';
import { decodePhoto } from '../client/decode.ts';
import { proposeStages, type AnalysisReport } from '../engine/analysis/index.ts';
import type { RGBAImage } from '../engine/image.ts';
import type { PipelineProgress, StageResult } from '../engine/pipeline/pipeline.ts';
import type { StageOptions, StageRequest } from '../engine/pipeline/stage.ts';
import type { RuntimeInfo } from '../engine/runtime/types.ts';
import type { ModelDownload } from '../engine/service/restoration-service.ts';
import { stageUIs } from '../stages/ui.ts';
import { client, fallBackToWasm, runtimeInfo } from './client.ts';

export type Status = 'idle' | 'decoding' | 'analyzing' | 'restoring';

export interface StageChoice {
  enabled: boolean;
  options: StageOptions;
  /** Why the analysis proposes this stage, when it does. */
  why?: string;
}

export interface StageProgress {
  stage: string;
  done: number;
  total: number;
  finished: boolean;
}

export interface ResultSummary {
  stage: string;
  method: StageResult['method'];
  model?: string;
  ms: number;
  /** Share of pixels this stage changed by more than 2/255. */
  changed: number;
}

export interface Photo {
  name: string;
  image: RGBAImage;
}

export interface Result {
  image: RGBAImage;
  stages: ResultSummary[];
  /** Share of pixels the whole run changed by more than 2/255 (vs the original). */
  changed: number;
}

export interface AppState {
  runtime?: RuntimeInfo;
  runtimeError?: string;
  download?: ModelDownload;
  photo?: Photo;
  analysis?: AnalysisReport;
  choices: Record<string, StageChoice>;
  status: Status;
  progress: StageProgress[];
  result?: Result;
  error?: string;
  updateAvailable: boolean;

  openFile(file: File): Promise<void>;
  setChoice(stage: string, patch: Partial<StageChoice>): void;
  restore(): Promise<void>;
  cancel(): void;
  dismissError(): void;
  refreshRuntime(): void;
  setUpdateAvailable(v: boolean): void;
}

function defaultChoices(): Record<string, StageChoice> {
  return Object.fromEntries(stageUIs.map((s) => [s.meta.id, { enabled: false, options: { ...s.meta.defaults } }]));
}

function choicesFrom(report: AnalysisReport): Record<string, StageChoice> {
  const choices = defaultChoices();
  for (const p of proposeStages(report)) {
    const c = choices[p.stage];
    if (!c) continue;
    choices[p.stage] = { enabled: true, options: { ...c.options, strength: p.strength }, why: p.why };
  }
  return choices;
}

function changedShare(map: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < map.length; i++) if (map[i] > 2) n++;
  return map.length ? n / map.length : 0;
}

function diffShare(a: RGBAImage, b: RGBAImage): number {
  const n = a.width * a.height;
  let changed = 0;
  for (let p = 0; p < n * 4; p += 4) {
    if (Math.abs(a.data[p] - b.data[p]) > 2 || Math.abs(a.data[p + 1] - b.data[p + 1]) > 2 || Math.abs(a.data[p + 2] - b.data[p + 2]) > 2) changed++;
  }
  return n ? changed / n : 0;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  return 'Something went wrong.';
}

/** Bumped for every new photo or run, so late answers for an older one are dropped. */
let generation = 0;

export const useStore = create<AppState>((set, get) => ({
  choices: defaultChoices(),
  status: 'idle',
  progress: [],
  updateAvailable: false,

  async openFile(file) {
    if (get().status === 'restoring') get().cancel();
    const gen = ++generation;
    set({ status: 'decoding', error: undefined });
    try {
      const { name, image } = await decodePhoto(file);
      if (gen !== generation) return;
      set({ photo: { name, image }, analysis: undefined, result: undefined, progress: [], choices: defaultChoices(), status: 'analyzing' });
      const analysis = await client().analyze(image);
      if (gen !== generation) return;
      set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', error: errorMessage(e) });
    }
  },

  setChoice(stage, patch) {
    const choices = get().choices;
    set({ choices: { ...choices, [stage]: { ...choices[stage], ...patch } } });
  },

  async restore() {
    const { photo, choices, analysis, status } = get();
    if (!photo || status !== 'idle') return;
    const requests: StageRequest[] = stageUIs
      .filter((s) => choices[s.meta.id]?.enabled)
      .map((s) => ({ stage: s.meta.id, options: choices[s.meta.id].options }));
    if (requests.length === 0) {
      set({ error: 'Choose at least one repair to run.' });
      return;
    }
    const gen = ++generation;
    set({
      status: 'restoring',
      error: undefined,
      download: undefined,
      progress: requests.map((r) => ({ stage: r.stage, done: 0, total: 0, finished: false })),
    });
    const setProgress = (stage: string, patch: Partial<StageProgress>) => {
      if (gen !== generation) return;
      set({ progress: get().progress.map((p) => (p.stage === stage ? { ...p, ...patch } : p)) });
    };
    const run = (): Promise<StageResult[]> =>
      client().run(
        photo.image,
        requests,
        {
          onProgress: (p: PipelineProgress) => setProgress(p.stage, { done: p.done, total: p.total }),
          onModelDownload: (d) => gen === generation && set({ download: d }),
          onStage: (r) => setProgress(r.stage, { finished: true }),
        },
        analysis,
      );
    try {
      let results: StageResult[];
      try {
        results = await run();
      } catch (e) {
        // A GPU kernel can fail after its session was created: leave WebGPU, say why, run again on WASM.
        if (gen !== generation || e instanceof CancelledError || (e as Error)?.name === 'IntegrityError') throw e;
        if ((await runtimeInfo().catch(() => undefined))?.backend !== 'webgpu') throw e;
        fallBackToWasm(`WebGPU failed while restoring (${errorMessage(e)}); switched to WASM.`);
        get().refreshRuntime();
        set({ progress: get().progress.map((p) => ({ ...p, done: 0, total: 0, finished: false })) });
        results = await run();
      }
      if (gen !== generation) return;
      const last = results.at(-1)!;
      set({
        status: 'idle',
        result: {
          image: last.image,
          changed: diffShare(photo.image, last.image),
          stages: results.map((r) => ({ stage: r.stage, method: r.method, model: r.model?.id, ms: Math.round(r.ms), changed: changedShare(r.changeMap) })),
        },
      });
      get().refreshRuntime();
    } catch (e) {
      if (gen !== generation) return;
      if (e instanceof CancelledError) {
        set({ status: 'idle', progress: [] });
        return;
      }
      set({ status: 'idle', progress: [], error: errorMessage(e) });
      get().refreshRuntime();
    }
  },

  cancel() {
    if (get().status !== 'restoring') return;
    generation++;
    // Terminates the worker at once and starts a fresh one; the previous result stays.
    client().cancel();
    set({ status: 'idle', progress: [], download: undefined });
    get().refreshRuntime();
  },

  dismissError() {
    set({ error: undefined });
  },

  refreshRuntime() {
    runtimeInfo().then(
      (runtime) => set({ runtime, runtimeError: undefined }),
      (e) => set({ runtimeError: errorMessage(e) }),
    );
  },

  setUpdateAvailable(v) {
    set({ updateAvailable: v });
  },
}));

/** Deep copy without functions; typed arrays (masks, maps) become a short description. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? `${x.constructor.name}(${x.byteLength} bytes)` : x)));
}

/** A plain, JSON-safe view of the state (no pixels, no functions). */
export function snapshot() {
  const s = useStore.getState();
  return {
    status: s.status,
    error: s.error ?? null,
    runtime: s.runtime ?? null,
    runtimeError: s.runtimeError ?? null,
    download: s.download ?? null,
    photo: s.photo ? { name: s.photo.name, width: s.photo.image.width, height: s.photo.image.height } : null,
    analysis: s.analysis ? plain(s.analysis) : null,
    choices: plain(s.choices) as Record<string, StageChoice>,
    progress: s.progress.map((p) => ({ ...p })),
    result: s.result
      ? { width: s.result.image.width, height: s.result.image.height, changed: s.result.changed, stages: s.result.stages.map((r) => ({ ...r })) }
      : null,
    updateAvailable: s.updateAvailable,
  };
}
