/** The open photo and its analysis, the repairs chosen, the engine and its offline models, errors. */
import { decodePhoto } from '../decode.ts';
import { inputNotes } from '../../engine/io/sniff.ts';
import { client, config, runtimeInfo } from '../client.ts';
import { isMetered, modelsOnMetered, saveModelsForOffline } from '../offline-models.ts';
import { newProjectId } from '../persistence/projects.ts';
import { persist, persistDocSoon } from './save.ts';
import { choicesFrom, currentGeneration, defaultChoices, errorMessage, freshReview, nextGeneration } from './shared.ts';
import type { SessionSlice, Slice, Store } from './types.ts';

export const sessionSlice: Slice<SessionSlice> = (set, get, store) => ({
  choices: defaultChoices(),
  status: 'idle',
  offline: { state: 'waiting', loaded: 0, total: 0 },
  updateAvailable: false,

  async openFile(file) {
    if (get().status === 'restoring') get().cancel();
    const gen = nextGeneration();
    set({ status: 'decoding', error: undefined });
    try {
      const { name, image, bytes, sniff } = await decodePhoto(file);
      if (gen !== currentGeneration()) return;
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
      if (gen !== currentGeneration()) return;
      set({ analysis, choices: choicesFrom(analysis), status: 'idle' });
      void persist(store, { original: bytes, refreshThumbnail: true });
    } catch (e) {
      if (gen !== currentGeneration()) return;
      set({ status: 'idle', errorAt: undefined, error: errorMessage(e) });
    }
  },

  setChoice(stage, patch) {
    const choices = get().choices;
    set({ choices: { ...choices, [stage]: { ...choices[stage], ...patch } } });
    persistDocSoon(store);
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
      void analyseAgainWithModels(store);
      // With the models saved, their sessions are made now rather than when the first photo waits on them.
      void client().warmUp().catch(() => undefined);
    } catch (e) {
      set({ offline: { ...get().offline, state: 'failed', reason: errorMessage(e) } });
    }
  },

  setUpdateAvailable(v) {
    set({ updateAvailable: v });
  },
});

/**
 * The open photo was analysed without a model that ships (offline before it was saved): now that
 * the models are saved, analyse it again. Until a run, and only while the app is idle; the
 * proposed repairs follow the new analysis unless the user changed them.
 */
async function analyseAgainWithModels(store: Store) {
  const { photo, analysis, result, status, choices } = store.getState();
  const missing = (analysis as { missingModels?: string[] } | undefined)?.missingModels;
  if (!photo || !analysis || !missing?.length || result || status !== 'idle') return;
  const gen = currentGeneration();
  const untouched = JSON.stringify(choices) === JSON.stringify(choicesFrom(analysis));
  store.setState({ status: 'analyzing' });
  try {
    const again = await client().analyze(photo.image);
    if (gen !== currentGeneration()) return;
    store.setState({ analysis: again, choices: untouched ? choicesFrom(again) : store.getState().choices, status: 'idle' });
    persistDocSoon(store);
  } catch {
    if (gen === currentGeneration()) store.setState({ status: 'idle' });
  }
}
