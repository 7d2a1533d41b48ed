/** The app state: its data types, and each slice's fields and actions. */
import type { StateCreator, StoreApi } from 'zustand';
import type { AnalysisReport } from '../../engine/analysis/index.ts';
import type { RGBAImage } from '../../engine/image.ts';
import type { StageResult } from '../../engine/pipeline/pipeline.ts';
import type { StageOptions } from '../../engine/pipeline/stage.ts';
import type { RegionDecision, ReviewDecisions, ReviewRegion } from '../../engine/review/index.ts';
import type { RuntimeInfo } from '../../engine/runtime/types.ts';
import type { ModelDownload } from '../../engine/service/restoration-service.ts';
import type { OfflineModels } from '../offline-models.ts';
import type { ProjectMeta, StorageInfo } from '../persistence/projects.ts';

export type { ReviewDecisions, ReviewRegion, RegionDecision };

/** Actions whose errors are shown beside them rather than at the top of the page. */
export type ErrorPlace = 'restore' | 'review' | 'export';

/** 'redoing': one region is being redone (the rest of the app stays usable). */
export type Status = 'idle' | 'decoding' | 'analyzing' | 'restoring' | 'redoing';

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

/** Brushing damage on the photo: a full-size mask, for new damage or to edit one region's. */
export interface MarkState {
  tool: 'brush' | 'eraser';
  /** Brush diameter in photo pixels. */
  size: number;
  /** The brush marks only the damage under each stroke (engine/damage/snap.ts), not the whole stroke. */
  snap: boolean;
  /** What is filled: the snapped strokes, or whole ones. */
  mask: Uint8Array;
  /** The snapping stroke being painted, and the finished ones whose damage is still being found (shown, not filled). */
  stroke: Uint8Array;
  pending: Uint8Array;
  /** Strokes whose damage is being found. */
  snapping: number;
  /** The last snapped stroke: how (with the detector, or by contrast alone where there is none) and how many pixels it marked. */
  lastSnap?: { by: 'detector' | 'contrast'; pixels: number };
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

export interface SessionSlice {
  runtime?: RuntimeInfo;
  runtimeError?: string;
  /** Saving the repair models for offline use, in the background after the engine starts. */
  offline: OfflineModels;
  photo?: Photo;
  analysis?: AnalysisReport;
  choices: Record<string, StageChoice>;
  status: Status;
  error?: string;
  /** Where the error belongs: next to the action that failed; none for the banner at the top. */
  errorAt?: ErrorPlace;
  updateAvailable: boolean;

  openFile(file: File): Promise<void>;
  setChoice(stage: string, patch: Partial<StageChoice>): void;
  dismissError(): void;
  refreshRuntime(): void;
  /** Saves the models for offline use; without `force`, not on a metered connection unless the user allowed it. */
  saveModelsOffline(force?: boolean): Promise<void>;
  setUpdateAvailable(v: boolean): void;
}

export interface RunSlice {
  download?: ModelDownload;
  progress: StageProgress[];
  result?: Result;

  restore(): Promise<void>;
  cancel(): void;
}

export interface ReviewSlice {
  decisions: ReviewDecisions;
  /** Undo/redo of the decisions (not saved: a reload starts a fresh history). */
  undoStack: ReviewDecisions[];
  redoStack: ReviewDecisions[];
  /** The run (and review) a newer run replaced: Undo past the newer run's first decision goes back to it. */
  previousRun?: RunState;
  /** The run Undo went back from: Redo returns to it. */
  nextRun?: RunState;
  selectedRegion?: string;

  selectRegion(id: string | undefined): void;
  decide(regionId: string, decision: RegionDecision): void;
  decideStage(stage: string, accepted: boolean): void;
  /** Runs the region's stage again with another strength, on a crop around it. */
  redoRegion(regionId: string, strength: number): Promise<void>;
  undo(): void;
  redo(): void;
}

export interface MarkingSlice {
  mark?: MarkState;

  /** Starts brushing damage (new, or the mask of a marked region to edit). */
  startMarking(editing?: string): void;
  setMarkTool(patch: Partial<Pick<MarkState, 'tool' | 'size' | 'snap'>>): void;
  /** Paints a stroke segment (photo coordinates): into the mark mask, or into the stroke when snapping. */
  paintMark(x0: number, y0: number, x1: number, y1: number): void;
  /** The stroke is finished: a snapping one is replaced by the damage under it (in the worker). */
  endStroke(): void;
  cancelMarking(): void;
  /** Fills the brushed damage (replacing the region being edited). */
  fillMarked(): Promise<void>;
}

export interface ProjectsSlice {
  project?: ProjectRef;
  /** Saved projects, newest first. */
  projects: ProjectMeta[];
  storage?: StorageInfo;

  /** Reopens the project open last (at start-up), if there is one. */
  resumeLastProject(): Promise<void>;
  openProject(id: string): Promise<void>;
  refreshProjects(): Promise<void>;
  deleteProject(id: string): Promise<void>;
  /** Deletes every saved project and closes the open photo. */
  deleteEverything(): Promise<void>;
}

export type AppState = SessionSlice & RunSlice & ReviewSlice & MarkingSlice & ProjectsSlice;

/** One concern's fields and actions, written against the whole state. */
export type Slice<T> = StateCreator<AppState, [], [], T>;

/** What the helpers outside the actions read and write. */
export type Store = Pick<StoreApi<AppState>, 'getState' | 'setState'>;
