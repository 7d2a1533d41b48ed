/**
 * Projects kept on this device (IndexedDB through idb-keyval), so a reload or
 * a later visit picks up where the user left off. One database, one store:
 *
 *   current             id of the project open last
 *   p:<id>:meta         ProjectMeta: name, dates, size, thumbnail (the list)
 *   p:<id>:doc          ProjectDoc: analysis, stage choices, results' descriptions, review decisions
 *   p:<id>:original     the original file's bytes, untouched (EXIF and ICC come from them at export)
 *   p:<id>:pixels       per stage: its output image and change map, deflated raw bytes
 *
 * The small records are rewritten often (every choice); the big ones only when
 * a photo is opened or a restoration finishes. Writes go one at a time.
 */
import { createStore, del, delMany, get, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import type { AnalysisReport } from '../../engine/analysis/index.ts';
import type { RGBAImage } from '../../engine/image.ts';
import type { StageOptions } from '../../engine/pipeline/stage.ts';
import { zlibDeflate, zlibInflate } from '../export/bytes.ts';

export const DB_NAME = 'heirloom-projects';
export const STORE_NAME = 'projects';

export interface ProjectMeta {
  id: string;
  name: string;
  created: number;
  updated: number;
  width: number;
  height: number;
  /** Stages of the last restoration (empty before one). */
  stages: string[];
  /** Bytes this project takes in storage (approximate). */
  size: number;
  thumbnail?: Blob;
}

export interface StoredStage {
  stage: string;
  options: StageOptions;
  method: 'model' | 'classical';
  model?: { id: string; version: string };
  /** The stage's own words on how (e.g. the camera-shake deconvolution); absent in projects saved before it was kept. */
  detail?: string;
  ms: number;
  /** Share of pixels the stage changed by more than 2/255. */
  changed: number;
}

export interface ProjectDoc<Choices = unknown, Decisions = unknown> {
  formatVersion: 1;
  id: string;
  name: string;
  mime: string;
  created: number;
  analysis?: AnalysisReport;
  choices: Choices;
  /** The user's review decisions (kept as given; the review step defines their shape). */
  decisions: Decisions;
  result?: { finishedAt: string; changed: number; stages: StoredStage[] };
}

export interface StagePixels {
  image: RGBAImage;
  changeMap: Uint8Array;
}

interface StoredPixels {
  width: number;
  height: number;
  image: Uint8Array;
  changeMap: Uint8Array;
}

const metaKey = (id: string) => `p:${id}:meta`;
const docKey = (id: string) => `p:${id}:doc`;
const originalKey = (id: string) => `p:${id}:original`;
const pixelsKey = (id: string) => `p:${id}:pixels`;
const CURRENT = 'current';

let store: UseStore | undefined;
const db = () => (store ??= createStore(DB_NAME, STORE_NAME));

/** True if our database exists; checked before reading so that a visit that saves nothing creates nothing. */
async function dbExists(): Promise<boolean> {
  if (store) return true;
  if (typeof indexedDB === 'undefined') return false;
  if (typeof indexedDB.databases !== 'function') return true;
  return (await indexedDB.databases()).some((d) => d.name === DB_NAME);
}

let queue: Promise<unknown> = Promise.resolve();
/** Runs storage work one job at a time (a delete never races a save). */
function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

export function newProjectId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

async function thumbnail(img: RGBAImage, max = 160): Promise<Blob | undefined> {
  try {
    const scale = Math.min(1, max / Math.max(img.width, img.height));
    const w = Math.max(1, Math.round(img.width * scale));
    const h = Math.max(1, Math.round(img.height * scale));
    const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), {
      resizeWidth: w,
      resizeHeight: h,
      resizeQuality: 'medium',
    });
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    bitmap.close();
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } catch {
    return undefined;
  }
}

export interface SaveRequest<C, D> {
  doc: ProjectDoc<C, D>;
  /** Shown in the list (the result when there is one). */
  preview: RGBAImage;
  /** Written when given (a new photo). */
  original?: Uint8Array;
  /** Written when given (a finished restoration); [] removes stored results. */
  pixels?: StagePixels[];
  /** Refresh the list thumbnail (new photo or new result). */
  refreshThumbnail?: boolean;
}

/** Saves (parts of) a project and makes it the current one. */
export function saveProject<C, D>(req: SaveRequest<C, D>): Promise<ProjectMeta> {
  return serial(async () => {
    const { doc } = req;
    const id = doc.id;
    const old = await get<ProjectMeta>(metaKey(id), db());
    const entries: [IDBValidKey, unknown][] = [[docKey(id), doc], [CURRENT, id]];
    let size = old?.size ?? 0;
    if (req.original) {
      entries.push([originalKey(id), req.original]);
      size = req.original.byteLength;
    }
    if (req.pixels) {
      const stored: StoredPixels[] = [];
      for (const p of req.pixels) {
        stored.push({ width: p.image.width, height: p.image.height, image: await zlibDeflate(new Uint8Array(p.image.data.buffer, p.image.data.byteOffset, p.image.data.byteLength)), changeMap: await zlibDeflate(p.changeMap) });
      }
      entries.push([pixelsKey(id), stored]);
      const original = req.original?.byteLength ?? ((await get<Uint8Array>(originalKey(id), db()))?.byteLength ?? 0);
      size = original + stored.reduce((n, s) => n + s.image.byteLength + s.changeMap.byteLength, 0);
    }
    const thumb = req.refreshThumbnail || !old?.thumbnail ? await thumbnail(req.preview) : old.thumbnail;
    const meta: ProjectMeta = {
      id,
      name: doc.name,
      created: doc.created,
      updated: Date.now(),
      width: req.preview.width,
      height: req.preview.height,
      stages: doc.result?.stages.map((s) => s.stage) ?? [],
      size: size + (thumb?.size ?? 0),
      thumbnail: thumb,
    };
    entries.push([metaKey(id), meta]);
    await setMany(entries, db());
    return meta;
  });
}

export interface LoadedProject<C, D> {
  doc: ProjectDoc<C, D>;
  original: Uint8Array;
  pixels: StagePixels[];
}

/**
 * `value` with every object key and every string that is a stage's former id (`renamed`: former ->
 * current, from the stages' `aliases`) replaced by the current one: a project saved before a stage
 * was renamed opens with its choices, results and decisions intact. Typed arrays are left as they are.
 */
export function withCurrentStageIds<T>(value: T, renamed: ReadonlyMap<string, string>): T {
  if (!renamed.size) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return renamed.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [renamed.get(k) ?? k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

export function loadProject<C, D>(id: string, renamed: ReadonlyMap<string, string> = new Map()): Promise<LoadedProject<C, D> | undefined> {
  return serial(async () => {
    if (!(await dbExists())) return undefined;
    const [stored0, original, stored] = await getMany<unknown>([docKey(id), originalKey(id), pixelsKey(id)], db());
    if (!stored0 || !original) return undefined;
    const doc = withCurrentStageIds(stored0, renamed);
    const pixels: StagePixels[] = [];
    for (const s of (stored as StoredPixels[] | undefined) ?? []) {
      const data = await zlibInflate(s.image);
      if (data.length !== s.width * s.height * 4) return { doc: doc as ProjectDoc<C, D>, original: original as Uint8Array, pixels: [] };
      pixels.push({ image: { width: s.width, height: s.height, data: new Uint8ClampedArray(data.buffer) }, changeMap: await zlibInflate(s.changeMap) });
    }
    return { doc: doc as ProjectDoc<C, D>, original: original as Uint8Array, pixels };
  });
}

/** The id of the project open last, if it still exists. */
export function currentProjectId(): Promise<string | undefined> {
  return serial(async () => ((await dbExists()) ? await get<string>(CURRENT, db()) : undefined));
}

/** Newest first. */
export function listProjects(): Promise<ProjectMeta[]> {
  return serial(async () => {
    if (!(await dbExists())) return [];
    const metaKeys = (await keys(db())).filter((k) => typeof k === 'string' && k.startsWith('p:') && k.endsWith(':meta'));
    const metas = (await getMany<ProjectMeta | undefined>(metaKeys, db())).filter((m): m is ProjectMeta => !!m);
    return metas.sort((a, b) => b.updated - a.updated);
  });
}

export function deleteProject(id: string): Promise<void> {
  return serial(async () => {
    if (!(await dbExists())) return;
    await delMany([metaKey(id), docKey(id), originalKey(id), pixelsKey(id)], db());
    if ((await get<string>(CURRENT, db())) === id) await del(CURRENT, db());
  });
}

/**
 * Removes every trace of the user's photos: the whole projects database. The
 * app's own files and the downloaded models (Cache Storage) hold no user data
 * and stay, so the app still works offline afterwards.
 */
export function deleteEverything(): Promise<void> {
  return serial(async () => {
    if (store) {
      const s = store;
      store = undefined;
      await s('readonly', (os) => os.transaction.db.close()).catch(() => undefined);
    }
    if (typeof indexedDB === 'undefined') return;
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      // Another tab still has it open: the delete completes when that tab lets go.
      req.onblocked = () => resolve();
    });
  });
}

export interface StorageInfo {
  /** Bytes used by this site (app, models and projects), as the browser reports it. */
  usage?: number;
  quota?: number;
  /** Bytes our projects take, from our own accounting. */
  projects: number;
  persisted?: boolean;
}

export async function storageInfo(projects: ProjectMeta[]): Promise<StorageInfo> {
  const info: StorageInfo = { projects: projects.reduce((n, p) => n + p.size, 0) };
  try {
    const est = await navigator.storage?.estimate?.();
    info.usage = est?.usage;
    info.quota = est?.quota;
    info.persisted = await navigator.storage?.persisted?.();
  } catch {
    // Not available here: show our own figure only.
  }
  return info;
}

let askedPersistence = false;
/** Asks once per session for storage the browser will not evict (after the first restore, when there is something worth keeping). */
export async function requestPersistence(): Promise<boolean | undefined> {
  if (askedPersistence || !navigator.storage?.persist) return undefined;
  askedPersistence = true;
  try {
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return undefined;
  }
}
