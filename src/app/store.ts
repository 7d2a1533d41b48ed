/**
 * App state (zustand) and the actions that drive the restoration worker.
 * Pixel buffers live here too but are left out of `snapshot()`, the plain view
 * the tests read through `window.__heirloom.state()`.
 */
import { create } from 'zustand';
import { CancelledError } from '../client/restoration-client.ts';
import { decodePhoto } from '../client/decode.ts';
import { inputNotes } from '../engine/io/sniff.ts';
import { proposeStages, type AnalysisReport } from '../engine/analysis/index.ts';
import type { RGBAImage } from '../engine/image.ts';
import type { PipelineProgress, StageResult } from '../engine/pipeline/pipeline.ts';
import type { StageOptions, StageRequest } from '../engine/pipeline/stage.ts';
import {
  composeReview,
  cropImage,
  cutRect,
  damageRegions,
  forEachRegionPixel,
  decideRegion,
  decideStage as decideStageIn,
  emptyDecisions,
  grow,
  history,
  isAccepted,
  normalizeDecisions,
  reviewLayers,
  runRegions,
  withMarked,
  withPatch,
  type History,
  type RegionDecision,
  type ReviewDecisions,
  type ReviewedStage,
  type ReviewRegion,
} from '../engine/review/index.ts';
import type { RuntimeInfo } from '../engine/runtime/types.ts';
import type { ModelDownload } from '../engine/service/restoration-service.ts';
import { stageUI, stageUIs } from '../stages/ui.ts';
import { client, config, fallBackToWasm, runtimeInfo } from './client.ts';
import { isMetered, modelsOnMetered, saveModelsForOffline, type OfflineModels } from './offline-models.ts';
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

/** Actions whose errors are shown beside them rather than at the top of the page. */
export type ErrorPlace = 'restore' | 'review' | 'export';

/** 'redoing': one region is being redone (the rest of the app stays usable). */
export type Status = 'idle' | 'decoding' | 'analyzing' | 'restoring' | 'redoing';

/** Context a region is redone with, so the model sees the same surroundings as in the full run. */
const REDO_MARGIN = 64;
/** Context the fill reads around marked damage (it never writes outside the mask). */
const FILL_MARGIN = 24;

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
  /** When this stage's first unit of work was reported (ms since epoch) and how many were done then: the time-left estimate's origin. */
  startedAt?: number;
  startedDone?: number;
  /** Estimated seconds left for this stage, once a few tiles are done. */
  secondsLeft?: number;
}

export interface ResultSummary {
  stage: string;
  method: StageResult['method'];
  model?: string;
  detail?: string;
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
  /** How the file was read, when the user should know (16-bit, CMYK). */
  notes?: string[];
}

/** One stage of a run, in full: what the review step works from. */
export interface StageOutcome {
  stage: string;
  options: StageOptions;
  method: StageResult['method'];
  model?: { id: string; version: string };
  /** The stage's own words on how, where `method` alone does not say. */
  detail?: string;
  /** This stage's output (the next stage's input). */
  image: RGBAImage;
  /** Per-pixel change against this stage's input (see engine/pipeline/change-map.ts). */
  changeMap: Uint8Array;
  ms: number;
  changed: number;
}

export interface Result {
  /** What the user sees and exports: the run composed with the review decisions. */
  image: RGBAImage;
  /** Regions the run found (the user's marked ones are in the decisions). */
  regions: ReviewRegion[];
  stages: ResultSummary[];
  /** Every stage's output and change map, in pipeline order (the last one's image is `image`). */
  outcomes: StageOutcome[];
  /** Share of pixels the whole run changed by more than 2/255 (vs the original). */
  changed: number;
  /** When the run finished (ISO 8601). */
  finishedAt: string;
}

export type { ReviewDecisions, ReviewRegion, RegionDecision };

/** Brushing damage on the photo: a full-size mask, for new damage or to edit one region's. */
export interface MarkState {
  tool: 'brush' | 'eraser';
  /** Brush diameter in photo pixels. */
  size: number;
  mask: Uint8Array;
  /** The marked region being edited, if any (its mask started the brushing). */
  editing?: string;
  /** Bumped on every stroke so views redraw. */
  version: number;
}

/** A run with its review, set aside by a newer run (Undo brings it back). */
export interface RunState {
  result: Result;
  decisions: ReviewDecisions;
  undoStack: ReviewDecisions[];
  redoStack: ReviewDecisions[];
}

/** The photo being worked on, as a saved project. */
export interface ProjectRef {
  id: string;
  created: number;
}

export interface AppState {
  runtime?: RuntimeInfo;
  runtimeError?: string;
  download?: ModelDownload;
  /** Saving the repair models for offline use, in the background after the engine starts. */
  offline: OfflineModels;
  photo?: Photo;
  analysis?: AnalysisReport;
  choices: Record<string, StageChoice>;
  status: Status;
  progress: StageProgress[];
  result?: Result;
  error?: string;
  /** Where the error belongs: next to the action that failed; none for the banner at the top. */
  errorAt?: ErrorPlace;
  updateAvailable: boolean;
  project?: ProjectRef;
  decisions: ReviewDecisions;
  /** Undo/redo of the decisions (not saved: a reload starts a fresh history). */
  undoStack: ReviewDecisions[];
  redoStack: ReviewDecisions[];
  /** The run (and review) a newer run replaced: Undo past the newer run's first decision goes back to it. */
  previousRun?: RunState;
  /** The run Undo went back from: Redo returns to it. */
  nextRun?: RunState;
  selectedRegion?: string;
  mark?: MarkState;
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
  selectRegion(id: string | undefined): void;
  decide(regionId: string, decision: RegionDecision): void;
  decideStage(stage: string, accepted: boolean): void;
  /** Runs the region's stage again with another strength, on a crop around it. */
  redoRegion(regionId: string, strength: number): Promise<void>;
  /** Starts brushing damage (new, or the mask of a marked region to edit). */
  startMarking(editing?: string): void;
  setMarkTool(patch: Partial<Pick<MarkState, 'tool' | 'size'>>): void;
  /** Paints a stroke segment (photo coordinates) into the mark mask. */
  paintMark(x0: number, y0: number, x1: number, y1: number): void;
  cancelMarking(): void;
  /** Fills the brushed damage (replacing the region being edited). */
  fillMarked(): Promise<void>;
  undo(): void;
  redo(): void;
  setChoice(stage: string, patch: Partial<StageChoice>): void;
  restore(): Promise<void>;
  cancel(): void;
  dismissError(): void;
  refreshRuntime(): void;
  /** Saves the models for offline use; without `force`, not on a metered connection unless the user allowed it. */
  saveModelsOffline(force?: boolean): Promise<void>;
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
      stages: s.result.outcomes.map(({ stage, options, method, model, detail, ms, changed }): StoredStage => ({ stage, options, method, model, detail, ms, changed })),
    },
  };
}

let docTimer: ReturnType<typeof setTimeout> | undefined;

export const useStore = create<AppState>((set, get) => ({
  choices: defaultChoices(),
  status: 'idle',
  progress: [],
  offline: { state: 'waiting', loaded: 0, total: 0 },
  updateAvailable: false,
  decisions: emptyDecisions(),
  undoStack: [],
  redoStack: [],
  projects: [],

  async openFile(file) {
    if (get().status === 'restoring') get().cancel();
    const gen = ++generation;
    set({ status: 'decoding', error: undefined });
    try {
      const { name, image, bytes, sniff } = await decodePhoto(file);
      if (gen !== generation) return;
      set({
        photo: { name, image, bytes, mime: sniff.mime, notes: inputNotes(sniff) },
        project: { id: newProjectId(), created: Date.now() },
        ...freshReview(),
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
      set({ status: 'idle', errorAt: undefined, error: errorMessage(e) });
    }
  },

  setChoice(stage, patch) {
    const choices = get().choices;
    set({ choices: { ...choices, [stage]: { ...choices[stage], ...patch } } });
    persistDocSoon();
  },

selectRegion(id) {
    set({ selectedRegion: id });
  },

  decide(regionId, decision) {
    applyDecisions(decideRegion(get().decisions, regionId, decision));
  },

  decideStage(stage, accepted) {
    applyDecisions(decideStageIn(get().decisions, stage, accepted, allRegions()));
  },

  async redoRegion(regionId, strength) {
    const { photo, result, status } = get();
    const region = allRegions().find((r) => r.id === regionId);
    if (!photo || !result || !region || status !== 'idle') return;
    const outcome = result.outcomes.find((o) => o.stage === region.stage);
    const layer = currentLayers().find((l) => l.stage === region.stage);
    if (!outcome || !layer) return;
    const gen = generation;
    set({ status: 'redoing', error: undefined });
    try {
      const { width, height } = photo.image;
      // Global stages (colour levels) measure the whole photo: run them on all of it.
      const whole = stageUI(region.stage)?.meta.scope === 'global';
      const crop = whole ? { x0: 0, y0: 0, x1: width, y1: height } : grow(region.rect, REDO_MARGIN, width, height);
      const [redone] = await client().run(cropImage(layer.before, crop), [{ stage: region.stage, options: { ...outcome.options, strength } }]);
      if (gen !== generation) return;
      set({ status: 'idle' });
      applyDecisions(withPatch(get().decisions, { regionId, stage: region.stage, rect: region.rect, pixels: cutRect(redone.image, crop.x0, crop.y0, region.rect), strength }));
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', errorAt: 'review', error: e instanceof CancelledError ? undefined : `The region could not be redone: ${errorMessage(e)}` });
    }
  },

  startMarking(editing) {
    const { photo } = get();
    if (!photo) return;
    const { width, height } = photo.image;
    const mask = new Uint8Array(width * height);
    // Any damage region can be edited: one the user marked, or one the run found.
    const region = editing ? allRegions().find((r) => r.id === editing && r.kind === 'damage') : undefined;
    if (region) forEachRegionPixel(region, width, (_x, _y, k) => (mask[k] = 1));
    const size = get().mark?.size ?? Math.max(6, Math.round(Math.min(width, height) / 60));
    set({ mark: { tool: 'brush', size, mask, editing: region?.id, version: 0 }, selectedRegion: region?.id });
  },

  setMarkTool(patch) {
    const mark = get().mark;
    if (mark) set({ mark: { ...mark, ...patch } });
  },

  paintMark(x0, y0, x1, y1) {
    const { mark, photo } = get();
    if (!mark || !photo) return;
    paintSegment(mark.mask, photo.image.width, photo.image.height, x0, y0, x1, y1, mark.size / 2, mark.tool === 'brush' ? 1 : 0);
    set({ mark: { ...mark, version: mark.version + 1 } });
  },

  cancelMarking() {
    set({ mark: undefined });
  },

  async fillMarked() {
    const { photo, result, mark, status } = get();
    if (!photo || !result || !mark || status !== 'idle') return;
    const { width, height } = photo.image;
    const tag = `marked-${Date.now().toString(36)}`;
    // Brushed damage keeps the class of the region it edits (a re-marked missing area is still invented content).
    const edited = mark.editing ? allRegions().find((r) => r.id === mark.editing) : undefined;
    const cls = edited?.damageClass ?? 'defect';
    const regions = damageRegions('fill', mark.mask, width, height, tag).map((r) => ({
      ...r, damageClass: cls, confidence: 1, invented: r.invented || cls === 'missing',
    }));
    const gen = generation;
    if (!regions.length) {
      // An edited region brushed away entirely: the marking is undone.
      set({ mark: undefined });
      if (mark.editing) applyDecisions(withMarked(get().decisions, [], mark.editing));
      return;
    }
    set({ status: 'redoing', error: undefined });
    try {
      const union = regions.reduce((u, r) => ({ x0: Math.min(u.x0, r.rect.x0), y0: Math.min(u.y0, r.rect.y0), x1: Math.max(u.x1, r.rect.x1), y1: Math.max(u.y1, r.rect.y1) }), regions[0].rect);
      const crop = grow(union, FILL_MARGIN, width, height);
      const cw = crop.x1 - crop.x0;
      const cropMask = new Uint8Array(cw * (crop.y1 - crop.y0));
      for (let y = crop.y0; y < crop.y1; y++) cropMask.set(mark.mask.subarray(y * width + crop.x0, y * width + crop.x1), (y - crop.y0) * cw);
      // The fill runs first in the pipeline: it reads the original photo.
      const [filled] = await client().run(cropImage(photo.image, crop), [{ stage: 'fill', options: { strength: 1 }, mask: cropMask }]);
      if (gen !== generation) return;
      const added = regions.map((region) => ({ region, patch: { regionId: region.id, stage: 'fill', rect: region.rect, pixels: cutRect(filled.image, crop.x0, crop.y0, region.rect) } }));
      set({ status: 'idle', mark: undefined, selectedRegion: regions[0].id });
      applyDecisions(withMarked(get().decisions, added, mark.editing));
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', errorAt: 'review', error: e instanceof CancelledError ? undefined : `The marked damage could not be filled: ${errorMessage(e)}` });
    }
  },

  undo() {
    const { undoStack, redoStack, decisions, previousRun } = get();
    if (!undoStack.length) {
      if (previousRun) swapRun('back');
      return;
    }
    const h = history.undo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
    applyDecisions(h.present, h);
  },

  redo() {
    const { undoStack, redoStack, decisions, nextRun } = get();
    if (!redoStack.length) {
      if (nextRun) swapRun('forward');
      return;
    }
    const h = history.redo<ReviewDecisions>({ past: undoStack, present: decisions, future: redoStack });
    applyDecisions(h.present, h);
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
        set({ status: 'idle', errorAt: undefined, error: 'That project is no longer stored on this device.' });
        void get().refreshProjects();
        return;
      }
      const { doc, original, pixels } = loaded;
      const { image, sniff } = await decodePhoto(new File([original as Uint8Array<ArrayBuffer>], doc.name, { type: doc.mime }));
      if (gen !== generation) return;
      let result: Result | undefined;
      const stored = doc.result;
      if (stored && pixels.length === stored.stages.length && pixels.every((p) => p.image.width === image.width && p.image.height === image.height)) {
        const outcomes = stored.stages.map((st, i): StageOutcome => ({ ...st, image: pixels[i].image, changeMap: pixels[i].changeMap }));
        result = {
          image: outcomes.at(-1)!.image,
          regions: runRegions(reviewedStages(outcomes), image.width, image.height),
          outcomes,
          stages: outcomes.map(summary),
          changed: stored.changed,
          finishedAt: stored.finishedAt,
        };
      }
      set({
        photo: { name: doc.name, image, bytes: original, mime: doc.mime, notes: inputNotes(sniff) },
        project: { id: doc.id, created: doc.created },
        analysis: doc.analysis,
        choices: { ...defaultChoices(), ...doc.choices },
        ...freshReview(),
        decisions: normalizeDecisions(doc.decisions),
        result,
        progress: [],
        status: doc.analysis ? 'idle' : 'analyzing',
      });
      if (result) recompose();
      if (!doc.analysis) {
        const analysis = await client().analyze(image);
        if (gen !== generation) return;
        set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
      }
      // Make it the current project again (and bump it to the top of the list).
      void persist({});
    } catch (e) {
      if (gen !== generation) return;
      set({ status: 'idle', errorAt: undefined, error: errorMessage(e) });
    }
  },

  async refreshProjects() {
    try {
      const projects = await listProjects();
      set({ projects });
      const storage = await storageInfo(projects);
      set({ storage });
    } catch (e) {
      set({ errorAt: undefined, error: `Saved projects could not be read: ${errorMessage(e)}` });
    }
  },

  async deleteProject(id) {
    const open = get().project?.id === id;
    if (open) closePhoto();
    await removeProject(id).catch((e) => set({ errorAt: undefined, error: `The project could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
  },

  async deleteEverything() {
    closePhoto();
    await wipeStorage().catch((e) => set({ errorAt: undefined, error: `Stored data could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
  },

  async restore() {
    const { photo, choices, analysis, status } = get();
    if (!photo || status !== 'idle') return;
    const requests: StageRequest[] = stageUIs
      .filter((s) => choices[s.meta.id]?.enabled)
      .map((s) => ({ stage: s.meta.id, options: choices[s.meta.id].options }));
    if (requests.length === 0) {
      set({ errorAt: 'restore', error: 'Choose at least one repair to run.' });
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
          onProgress: (p: PipelineProgress) => {
            const now = Date.now();
            const prev = get().progress.find((x) => x.stage === p.stage);
            // The clock starts at the first report; the rate of the units done since gives the estimate.
            const startedAt = prev?.startedAt ?? now, startedDone = prev?.startedDone ?? p.done;
            const perUnit = p.done > startedDone ? (now - startedAt) / (p.done - startedDone) : undefined;
            setProgress(p.stage, { done: p.done, total: p.total, startedAt, startedDone, secondsLeft: perUnit && ((p.total - p.done) * perUnit) / 1000 });
          },
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
      const before = get();
      // The run and review this one replaces, kept for Undo.
      const previousRun: RunState | undefined = before.result && {
        result: before.result,
        decisions: before.decisions,
        undoStack: before.undoStack,
        redoStack: before.redoStack,
      };
      const outcomes = results.map(
        (r): StageOutcome => ({
          stage: r.stage,
          options: r.options,
          method: r.method,
          model: r.model && { id: r.model.id, version: r.model.version },
          detail: r.detail,
          image: r.image,
          changeMap: r.changeMap,
          ms: Math.round(r.ms),
          changed: changedShare(r.changeMap),
        }),
      );
      set({
        status: 'idle',
        // A new run replaces the results the old decisions were about (Undo brings them back).
        ...freshReview(),
        previousRun,
        result: {
          image: last.image,
          regions: runRegions(reviewedStages(outcomes), photo.image.width, photo.image.height),
          changed: diffShare(photo.image, last.image),
          outcomes,
          stages: outcomes.map(summary),
          finishedAt: new Date().toISOString(),
        },
      });
      // Found missing areas wait for the user's OK: what is shown is the composed review, not the raw run.
      recompose();
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
      set({ status: 'idle', progress: [], errorAt: 'restore', error: errorMessage(e) });
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
      (runtime) => {
        set({ runtime, runtimeError: undefined });
        // The first time the engine is up: save the models it will run, in the background.
        if (get().offline.state === 'waiting') void get().saveModelsOffline();
      },
      (e) => set({ runtimeError: errorMessage(e) }),
    );
  },

  async saveModelsOffline(force = false) {
    const { runtime, offline } = get();
    if (!runtime || offline.state === 'downloading') return;
    if (!force && isMetered() && !modelsOnMetered()) {
      set({ offline: { ...offline, state: 'skipped', reason: 'metered connection' } });
      return;
    }
    set({ offline: { ...offline, state: 'downloading', reason: undefined } });
    try {
      await saveModelsForOffline(config.modelsUrl, runtime.backend, runtime.shaderF16, (loaded, total) =>
        set({ offline: { state: 'downloading', loaded, total } }),
      );
      set({ offline: { ...get().offline, state: 'ready' } });
      void analyseAgainWithModels();
      // With the models saved, their sessions are made now rather than when the first photo waits on them.
      void client().warmUp().catch(() => undefined);
    } catch (e) {
      set({ offline: { ...get().offline, state: 'failed', reason: errorMessage(e) } });
    }
  },

  setUpdateAvailable(v) {
    set({ updateAvailable: v });
  },
}));

function summary(o: Omit<StageOutcome, 'image' | 'changeMap'>): ResultSummary {
  return { stage: o.stage, method: o.method, model: o.model?.id, detail: o.detail, ms: o.ms, changed: o.changed };
}

function freshReview() {
  return {
    decisions: emptyDecisions(),
    undoStack: [],
    redoStack: [],
    previousRun: undefined,
    nextRun: undefined,
    selectedRegion: undefined,
    mark: undefined,
  };
}

/** True when the review holds something a new run would set aside: a decision, a redo or marked damage. */
export function hasReviewWork(d: ReviewDecisions): boolean {
  return Object.keys(d.stages).length > 0 || Object.keys(d.regions).length > 0 || d.patches.length > 0 || d.marked.length > 0;
}

/** Undo past a run's first decision (back to the run it replaced), or redo to it again; saved like a new run. */
function swapRun(direction: 'back' | 'forward') {
  const s = useStore.getState();
  const target = direction === 'back' ? s.previousRun : s.nextRun;
  if (!target || !s.result || s.status !== 'idle') return;
  const current: RunState = { result: s.result, decisions: s.decisions, undoStack: s.undoStack, redoStack: s.redoStack };
  useStore.setState({
    ...target,
    previousRun: direction === 'back' ? undefined : current,
    nextRun: direction === 'back' ? current : undefined,
    selectedRegion: undefined,
    mark: undefined,
    progress: [],
  });
  recompose();
  const outcomes = target.result.outcomes;
  void persist({ pixels: outcomes.map((o) => ({ image: o.image, changeMap: o.changeMap })), refreshThumbnail: true });
}

function reviewedStages(outcomes: StageOutcome[]): ReviewedStage[] {
  return outcomes.map((o) => ({ stage: o.stage, image: o.image, changeMap: o.changeMap, control: stageUI(o.stage)?.meta.control ?? 'strength', scope: stageUI(o.stage)?.meta.scope }));
}

/** The run's regions and the user's marked ones. */
export function allRegions(): ReviewRegion[] {
  const { result, decisions } = useStore.getState();
  return result ? [...result.regions, ...decisions.marked] : [];
}

function currentLayers() {
  const { photo, result, decisions } = useStore.getState();
  if (!photo || !result) return [];
  return reviewLayers(photo.image, reviewedStages(result.outcomes), decisions.marked.length > 0);
}

/** Recomputes the shown (and exported) image from the run and the decisions. */
function recompose() {
  const { photo, result, decisions } = useStore.getState();
  if (!photo || !result) return;
  const image = composeReview(photo.image, currentLayers(), allRegions(), decisions);
  useStore.setState({ result: { ...result, image, changed: diffShare(photo.image, image) } });
}

/** A new decision state: recorded for undo (unless it comes from undo/redo), shown, saved. */
function applyDecisions(next: ReviewDecisions, h?: History<ReviewDecisions>) {
  const s = useStore.getState();
  const past = h ?? history.push({ past: s.undoStack, present: s.decisions, future: s.redoStack }, next);
  useStore.setState({ decisions: next, undoStack: past.past, redoStack: past.future });
  recompose();
  persistDocSoon();
}

/** Paints a round-capped segment of radius r into a full-size mask. */
function paintSegment(mask: Uint8Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number, r: number, value: number) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(len / Math.max(1, r / 2)));
  const rr = r * r;
  for (let i = 0; i <= steps; i++) {
    const cx = x0 + ((x1 - x0) * i) / steps, cy = y0 + ((y1 - y0) * i) / steps;
    const ya = Math.max(0, Math.floor(cy - r)), yb = Math.min(height - 1, Math.ceil(cy + r));
    const xa = Math.max(0, Math.floor(cx - r)), xb = Math.min(width - 1, Math.ceil(cx + r));
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= rr) mask[y * width + x] = value;
  }
}

/**
 * The open photo was analysed without a model that ships (offline before it was saved): now that
 * the models are saved, analyse it again. Until a run, and only while the app is idle; the
 * proposed repairs follow the new analysis unless the user changed them.
 */
async function analyseAgainWithModels() {
  const { photo, analysis, result, status, choices } = useStore.getState();
  const missing = (analysis as { missingModels?: string[] } | undefined)?.missingModels;
  if (!photo || !analysis || !missing?.length || result || status !== 'idle') return;
  const gen = generation;
  const untouched = JSON.stringify(choices) === JSON.stringify(choicesFrom(analysis));
  useStore.setState({ status: 'analyzing' });
  try {
    const again = await client().analyze(photo.image);
    if (gen !== generation) return;
    useStore.setState({ analysis: again, choices: untouched ? choicesFrom(again) : useStore.getState().choices, status: 'idle' });
    persistDocSoon();
  } catch {
    if (gen === generation) useStore.setState({ status: 'idle' });
  }
}

/** Back to the empty state (the worker keeps running; a run in progress is cancelled). */
function closePhoto() {
  const s = useStore.getState();
  if (s.status === 'restoring') s.cancel();
  generation++;
  clearTimeout(docTimer);
  useStore.setState({ photo: undefined, project: undefined, analysis: undefined, result: undefined, progress: [], ...freshReview(), choices: defaultChoices(), status: 'idle' });
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
      useStore.setState({ errorAt: undefined, error: `This project could not be saved on this device (${errorMessage(e)}). You can still export it.` });
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
    errorAt: s.errorAt ?? null,
    runtime: s.runtime ?? null,
    runtimeError: s.runtimeError ?? null,
    download: s.download ?? null,
    offline: { ...s.offline },
    photo: s.photo ? { name: s.photo.name, width: s.photo.image.width, height: s.photo.image.height, notes: s.photo.notes ?? [] } : null,
    analysis: s.analysis ? plain(s.analysis) : null,
    choices: plain(s.choices) as Record<string, StageChoice>,
    progress: s.progress.map((p) => ({ ...p })),
    result: s.result
      ? {
          width: s.result.image.width,
          height: s.result.image.height,
          changed: s.result.changed,
          finishedAt: s.result.finishedAt,
          stages: s.result.stages.map((r) => ({ ...r })),
        }
      : null,
    runs: { back: !!s.previousRun, forward: !!s.nextRun },
    selectedRegion: s.selectedRegion ?? null,
    updateAvailable: s.updateAvailable,
    project: s.project ? { ...s.project } : null,
    projects: s.projects.map(({ thumbnail: _t, ...p }) => ({ ...p, stages: [...p.stages] })),
    decisions: plain(s.decisions),
    review: {
      regions: allRegions().map((r) => ({
        id: r.id,
        stage: r.stage,
        kind: r.kind,
        rect: { ...r.rect },
        cell: r.cell,
        pixels: r.pixels,
        invented: r.invented,
        damageClass: r.damageClass ?? null,
        confidence: r.confidence ?? null,
        needsConfirm: !!r.needsConfirm,
        accepted: isAccepted(s.decisions, r),
        // Small masks only (tests compare pixels inside a region).
        mask: r.mask.length <= 20000 ? Array.from(r.mask) : null,
      })),
      undo: s.undoStack.length,
      redo: s.redoStack.length,
      marking: s.mark ? { tool: s.mark.tool, size: s.mark.size, editing: s.mark.editing ?? null, markedPixels: s.mark.mask.reduce((n, v) => n + (v ? 1 : 0), 0) } : null,
    },
  };
}
