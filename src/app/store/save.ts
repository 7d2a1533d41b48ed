/** Saving the open photo as a project. */
import type { ReviewDecisions } from '../../engine/review/index.ts';
import { saveProject, type ProjectDoc, type StagePixels, type StoredStage } from '../persistence/projects.ts';
import { errorMessage } from './shared.ts';
import type { AppState, StageChoice, Store } from './types.ts';

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

/** Saves the open project; resolves false (and says so) if storage failed. */
export async function persist(store: Store, parts: { original?: Uint8Array; pixels?: StagePixels[]; refreshThumbnail?: boolean }): Promise<boolean> {
  const s = store.getState();
  const doc = projectDoc(s);
  if (!doc || !s.photo) return false;
  try {
    await saveProject({ doc, preview: s.result?.image ?? s.photo.image, ...parts });
    void s.refreshProjects();
    return true;
  } catch (e) {
    if (store.getState().project?.id === doc.id) {
      store.setState({ errorAt: undefined, error: `This project could not be saved on this device (${errorMessage(e)}). You can still export it.` });
    }
    return false;
  }
}

let docTimer: ReturnType<typeof setTimeout> | undefined;

/** Choices and decisions change often: save the small record a moment after the last change. */
export function persistDocSoon(store: Store) {
  clearTimeout(docTimer);
  docTimer = setTimeout(() => {
    const s = store.getState();
    if (s.status !== 'analyzing' && s.status !== 'decoding') void persist(store, {});
  }, 400);
}

/** Drops a save that is waiting (the photo is being closed). */
export function cancelDocSave() {
  clearTimeout(docTimer);
}
