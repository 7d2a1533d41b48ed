/** Saved projects: reopening, listing, deleting. */
import { decodePhoto } from '../decode.ts';
import { inputNotes } from '../../engine/io/sniff.ts';
import { normalizeDecisions, type ReviewDecisions } from '../../engine/review/index.ts';
import {
  currentProjectId,
  deleteEverything as wipeStorage,
  deleteProject as removeProject,
  listProjects,
  loadProject,
  storageInfo,
} from '../persistence/projects.ts';
import { client } from '../client.ts';
import { FORMER_STAGE_IDS } from '../../stages/ui.ts';
import { composed } from './review.ts';
import { cancelDocSave, persist } from './save.ts';
import { choicesFrom, currentGeneration, defaultChoices, errorMessage, freshReview, nextGeneration, reviewedStages, summary } from './shared.ts';
import type { ProjectsSlice, Result, Slice, StageChoice, StageOutcome, Store } from './types.ts';

export const projectsSlice: Slice<ProjectsSlice> = (set, get, store) => ({
  projects: [],

  async resumeLastProject() {
    const id = await currentProjectId().catch(() => undefined);
    // Only if the user has not opened something in the meantime.
    if (id && !get().photo && get().status === 'idle') await get().openProject(id);
    else void get().refreshProjects();
  },

  async openProject(id) {
    if (get().status === 'restoring') get().cancel();
    const gen = nextGeneration();
    set({ status: 'decoding', error: undefined });
    try {
      const loaded = await loadProject<Record<string, StageChoice>, ReviewDecisions>(id, FORMER_STAGE_IDS);
      if (gen !== currentGeneration()) return;
      if (!loaded) {
        set({ status: 'idle', errorAt: undefined, error: 'That project is no longer stored on this device.' });
        void get().refreshProjects();
        return;
      }
      const { doc, original, pixels } = loaded;
      const { image, sniff } = await decodePhoto(new File([original as Uint8Array<ArrayBuffer>], doc.name, { type: doc.mime }));
      if (gen !== currentGeneration()) return;
      let result: Result | undefined;
      const decisions = normalizeDecisions(doc.decisions);
      const stored = doc.result;
      if (stored && pixels.length === stored.stages.length && pixels.every((p) => p.image.width === image.width && p.image.height === image.height)) {
        const outcomes = stored.stages.map((st, i): StageOutcome => ({ ...st, image: pixels[i].image, changeMap: pixels[i].changeMap }));
        const regions = await client().findRegions(reviewedStages(outcomes), image.width, image.height);
        // Shown composed with the saved decisions; the worker is sent the layers once, here.
        const shown = await composed(image, { outcomes, regions }, decisions);
        if (gen !== currentGeneration()) return;
        result = { ...shown, regions, outcomes, stages: outcomes.map(summary), finishedAt: stored.finishedAt };
      }
      set({
        photo: { name: doc.name, image, bytes: original, mime: doc.mime, notes: inputNotes(sniff) },
        project: { id: doc.id, created: doc.created },
        analysis: doc.analysis,
        choices: { ...defaultChoices(), ...doc.choices },
        ...freshReview(),
        decisions,
        result,
        progress: [],
        status: doc.analysis ? 'idle' : 'analyzing',
      });
      if (!doc.analysis) {
        const analysis = await client().analyze(image);
        if (gen !== currentGeneration()) return;
        set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
      }
      // Make it the current project again (and bump it to the top of the list).
      void persist(store, {});
    } catch (e) {
      if (gen !== currentGeneration()) return;
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
    if (open) closePhoto(store);
    await removeProject(id).catch((e) => set({ errorAt: undefined, error: `The project could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
  },

  async deleteEverything() {
    closePhoto(store);
    await wipeStorage().catch((e) => set({ errorAt: undefined, error: `Stored data could not be deleted: ${errorMessage(e)}` }));
    await get().refreshProjects();
  },
});

/** Back to the empty state (the worker keeps running; a run in progress is cancelled). */
function closePhoto(store: Store) {
  const s = store.getState();
  if (s.status === 'restoring') s.cancel();
  nextGeneration();
  cancelDocSave();
  store.setState({ photo: undefined, project: undefined, analysis: undefined, result: undefined, progress: [], ...freshReview(), choices: defaultChoices(), status: 'idle' });
}
