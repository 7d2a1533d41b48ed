/** Running the chosen repairs on the photo, with progress, cancel and the WebGPU→WASM fallback. */
import { CancelledError } from '../../worker/restoration-client.ts';
import type { PipelineProgress, StageResult } from '../../engine/pipeline/pipeline.ts';
import type { StageRequest } from '../../engine/pipeline/stage.ts';
import { emptyDecisions } from '../../engine/review/index.ts';
import { stageUIs } from '../../stages/ui.ts';
import { client, fallBackToWasm, runtimeInfo } from '../client.ts';
import { requestPersistence } from '../persistence/projects.ts';
import { composed, keptAs, newLayersKey } from './review.ts';
import { persist } from './save.ts';
import { currentGeneration, errorMessage, freshReview, nextGeneration, reviewedStages, summary } from './shared.ts';
import type { RunSlice, RunState, Slice, StageOutcome, StageProgress } from './types.ts';

export const runSlice: Slice<RunSlice> = (set, get, store) => ({
  progress: [],

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
    const gen = nextGeneration();
    // The worker keeps this run's layers under this key, for composing its review.
    const keep = newLayersKey();
    set({
      status: 'restoring',
      error: undefined,
      download: undefined,
      progress: requests.map((r) => ({ stage: r.stage, done: 0, total: 0, finished: false })),
    });
    const setProgress = (stage: string, patch: Partial<StageProgress>) => {
      if (gen !== currentGeneration()) return;
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
          onModelDownload: (d) => gen === currentGeneration() && set({ download: d }),
          onStage: (r) => setProgress(r.stage, { finished: true }),
        },
        analysis,
        keep,
      );
    try {
      let results: StageResult[];
      try {
        results = await run();
      } catch (e) {
        // A GPU kernel can fail after its session was created: leave WebGPU, say why, run again on WASM.
        if (gen !== currentGeneration() || e instanceof CancelledError || (e as Error)?.name === 'IntegrityError') throw e;
        if ((await runtimeInfo().catch(() => undefined))?.backend !== 'webgpu') throw e;
        fallBackToWasm(`WebGPU failed while restoring (${errorMessage(e)}); switched to WASM.`);
        get().refreshRuntime();
        set({ progress: get().progress.map((p) => ({ ...p, done: 0, total: 0, finished: false })) });
        results = await run();
      }
      if (gen !== currentGeneration()) return;
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
          changed: r.changed,
        }),
      );
      keptAs(outcomes, keep);
      const regions = await client().findRegions(reviewedStages(outcomes), photo.image.width, photo.image.height, keep);
      if (gen !== currentGeneration()) return;
      // Found missing areas wait for the user's OK: what is shown is the composed review, not the raw run.
      const shown = await composed(photo.image, { outcomes, regions }, emptyDecisions());
      if (gen !== currentGeneration()) return;
      const before = get();
      // The run and review this one replaces, kept for Undo.
      const previousRun: RunState | undefined = before.result && {
        result: before.result,
        decisions: before.decisions,
        undoStack: before.undoStack,
        redoStack: before.redoStack,
      };
      set({
        status: 'idle',
        // A new run replaces the results the old decisions were about (Undo brings them back).
        ...freshReview(),
        previousRun,
        result: { ...shown, regions, outcomes, stages: outcomes.map(summary), finishedAt: new Date().toISOString() },
      });
      get().refreshRuntime();
      void persist(store, { pixels: outcomes.map((o) => ({ image: o.image, changeMap: o.changeMap })), refreshThumbnail: true }).then((ok) => {
        // Now there is work worth keeping: ask the browser not to evict it.
        if (ok) void requestPersistence().then(() => get().refreshProjects());
      });
    } catch (e) {
      if (gen !== currentGeneration()) return;
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
    nextGeneration();
    // Terminates the worker at once and starts a fresh one; the previous result stays.
    client().cancel();
    set({ status: 'idle', progress: [], download: undefined });
    get().refreshRuntime();
  },
});
