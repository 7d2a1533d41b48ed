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
import {
  deleteEverything as wipeStorage,
  deleteProject as removeProject,
  currentProjectId,
  listProjects,
  loadProject,
  newProjectId,
  requestPersistence,
  saveProject,
  storageInfo,
  type ProjectDoc,
  type ProjectMeta,
  type StagePixels,
  type StorageInfo,
  type StoredStage,
} from './persistence/projects.ts';

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
  /** The original file, byte for byte (export copies its EXIF and ICC profile; projects store it). */
  bytes: Uint8Array;
  mime: string;
}

/** One stage of a run, in full: what the review step works from. */
export interface StageOutcome {
  stage: string;
  options: StageOptions;
  method: StageResult['method'];
  model?: { id: string; version: string };
  /** This stage's output (the next stage's input). */
  image: RGBAImage;
  /** Per-pixel change against this stage's input (see engine/pipeline/change-map.ts). */
  changeMap: Uint8Array;
  ms: number;
  changed: number;
}

export interface Result {
  image: RGBAImage;
  stages: ResultSummary[];
  /** Every stage's output and change map, in pipeline order (the last one's image is `image`). */
  outcomes: StageOutcome[];
  /** Share of pixels the whole run changed by more than 2/255 (vs the original). */
  changed: number;
  /** When the run finished (ISO 8601). */
  finishedAt: string;
}

/**
 * The user's review decisions (accept/reject per region, per stage...). The
 * review step owns their shape; the store keeps them with the project and
 * persistence saves them as they are (they must be structured-cloneable).
 */
export type ReviewDecisions = Record<string, unknown>;

/** The photo being worked on, as a saved project. */
export interface ProjectRef {
  id: string;
  created: number;
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
  project?: ProjectRef;
  decisions: ReviewDecisions;
  /** Saved projects, newest first. */
  projects: ProjectMeta[];
  storage?: StorageInfo;

  openFile(file: File): Promise<void>;
  /** Reopens the project open last (at start-up), if there is one. */
  resumeLastProject(): Promise<void>;
  openProject(id: string): Promise<void>;
  refreshProjects(): Promise<void>;
  deleteProject(id: string): Promise<void>;
  /** Deletes every saved project and closes the open photo. */
  deleteEverything(): Promise<void>;
  setDecisions(patch: ReviewDecisions): void;
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

type Doc = ProjectDoc<Record<string, StageChoice>, ReviewDecisions>;

function projectDoc(s: AppState): Doc | undefined {
  if (!s.photo || !s.project) return undefined;
  return {
    formatVersion: 1,
    id: s.project.id,
    name: s.photo.name,
    mime: s.photo.mime,
    created: s.project.created,
    analysis: s.analysis,
    choices: s.choices,
    decisions: s.decisions,
    result: s.result && {
      finishedAt: s.result.finishedAt,
      changed: s.result.changed,
      stages: s.result.outcomes.map(({ stage, options, method, model, ms, changed }): StoredStage => ({ stage, options, method, model, ms, changed })),
    },
  };
}

let docTimer: ReturnType<typeof setTimeout> | undefined;

export const useStore = create<AppState>((set, get) => ({
  choices: defaultChoices(),
  status: 'idle',
  progress: [],
  updateAvailable: false,
  decisions: {},
  projects: [],

  async openFile(file) {
    if (get().status === 'restoring') get().cancel();
    const gen = ++generation;
    set({ status: 'decoding', error: undefined });
    try {
      const { name, image, bytes, sniff } = await decodePhoto(file);
      if (gen !== generation) return;
      set({
        photo: { name, image, bytes, mime: sniff.mime },
        project: { id: newProjectId(), created: Date.now() },
        decisions: {},
        analysis: undefined,
        result: undefined,
        progress: [],
        choices: defaultChoices(),
        status: 'analyzing',
      });
      const analysis = await client().analyze(image);
      if (gen !== generation) return;
      set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
      void persist({ original: bytes, refreshThumbnail: true });
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', error: errorMessage(e) });
    }
  },

  setChoice(stage, patch) {
    const choices = get().choices;
    set({ choices: { ...choices, [stage]: { ...choices[stage], ...patch } } });
    persistDocSoon();
  },

  setDecisions(patch) {
    set({ decisions: { ...get().decisions, ...patch } });
    persistDocSoon();
  },

  async resumeLastProject() {
    const id = await currentProjectId().catch(() => undefined);
    // Only if the user has not opened something in the meantime.
    if (id && !get().photo && get().status === 'idle') await get().openProject(id);
    else void get().refreshProjects();
  },

  async openProject(id) {
    if (get().status === 'restoring') get().cancel();
    const gen = ++generation;
    set({ status: 'decoding', error: undefined });
    try {
      const loaded = await loadProject<Record<string, StageChoice>, ReviewDecisions>(id);
      if (gen !== generation) return;
      if (!loaded) {
        set({ status: 'idle', error: 'That project is no longer stored on this device.' });
        void get().refreshProjects();
        return;
      }
      const { doc, original, pixels } = loaded;
      const { image } = await decodePhoto(new File([original as Uint8Array<ArrayBuffer>], doc.name, { type: doc.mime }));
      if (gen !== generation) return;
      let result: Result | undefined;
      const stored = doc.result;
      if (stored && pixels.length === stored.stages.length && pixels.every((p) => p.image.width === image.width && p.image.height === image.height)) {
        const outcomes = stored.stages.map((st, i): StageOutcome => ({ ...st, image: pixels[i].image, changeMap: pixels[i].changeMap }));
        result = {
          image: outcomes.at(-1)!.image,
          outcomes,
          stages: outcomes.map(summary),
          changed: stored.changed,
          finishedAt: stored.finishedAt,
        };
      }
      set({
        photo: { name: doc.name, image, bytes: original, mime: doc.mime },
        project: { id: doc.id, created: doc.created },
        analysis: doc.analysis,
        choices: { ...defaultChoices(), ...doc.choices },
        decisions: doc.decisions ?? {},
        result,
        progress: [],
        status: doc.analysis ? 'idle' : 'analyzing',
      });
      if (!doc.analysis) {
        const analysis = await client().analyze(image);
        if (gen !== generation) return;
        set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
      }
      // Make it the current project again (and bump it to the top of the list).
      void persist({});
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', error: errorMessage(e) });
    }
  },

  async refreshProjects() {
    try {
      const projects = await listProjects();
      set({ projects });
      const storage = await storageInfo(projects);
      set({ storage });
    } catch (e) {
      set({ error: `Saved projects could not be read: ${errorMessage(e)}` });
    }
  },

  async deleteProject(id) {
    const open = get().project?.id === id;
    if (open) closePhoto();
    await removeProject(id).catch((e) => set({ error: `The project could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
  },

  async deleteEverything() {
    closePhoto();
    await wipeStorage().catch((e) => set({ error: `Stored data could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
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
      const outcomes = results.map(
        (r): StageOutcome => ({
          stage: r.stage,
          options: r.options,
          method: r.method,
          model: r.model && { id: r.model.id, version: r.model.version },
          image: r.image,
          changeMap: r.changeMap,
          ms: Math.round(r.ms),
          changed: changedShare(r.changeMap),
        }),
      );
      set({
        status: 'idle',
        // A new run replaces the results the old decisions were about.
        decisions: {},
        result: {
          image: last.image,
          changed: diffShare(photo.image, last.image),
          outcomes,
          stages: outcomes.map(summary),
          finishedAt: new Date().toISOString(),
        },
      });
      get().refreshRuntime();
      void persist({ pixels: outcomes.map((o) => ({ image: o.image, changeMap: o.changeMap })), refreshThumbnail: true }).then((ok) => {
        // Now there is work worth keeping: ask the browser not to evict it.
        if (ok) void requestPersistence().then(() => get().refreshProjects());
      });
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

function summary(o: Omit<StageOutcome, 'image' | 'changeMap'>): ResultSummary {
  return { stage: o.stage, method: o.method, model: o.model?.id, ms: o.ms, changed: o.changed };
}

/** Back to the empty state (the worker keeps running; a run in progress is cancelled). */
function closePhoto() {
  const s = useStore.getState();
  if (s.status === 'restoring') s.cancel();
  generation++;
  clearTimeout(docTimer);
  useStore.setState({ photo: undefined, project: undefined, analysis: undefined, result: undefined, progress: [], decisions: {}, choices: defaultChoices(), status: 'idle' });
}

/** Saves the open project; resolves false (and says so) if storage failed. */
async function persist(parts: { original?: Uint8Array; pixels?: StagePixels[]; refreshThumbnail?: boolean }): Promise<boolean> {
  const s = useStore.getState();
  const doc = projectDoc(s);
  if (!doc || !s.photo) return false;
  try {
    await saveProject({ doc, preview: s.result?.image ?? s.photo.image, ...parts });
    void s.refreshProjects();
    return true;
  } catch (e) {
    if (useStore.getState().project?.id === doc.id) {
      useStore.setState({ error: `This project could not be saved on this device (${errorMessage(e)}). You can still export it.` });
    }
    return false;
  }
}

/** Choices and decisions change often: save the small record a moment after the last change. */
function persistDocSoon() {
  clearTimeout(docTimer);
  docTimer = setTimeout(() => {
    const s = useStore.getState();
    if (s.status !== 'analyzing' && s.status !== 'decoding') void persist({});
  }, 400);
}

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
    project: s.project ? { ...s.project } : null,
    projects: s.projects.map(({ thumbnail: _t, ...p }) => ({ ...p, stages: [...p.stages] })),
    decisions: plain(s.decisions),
  };
}
