/** Helpers more than one slice uses. */
import { proposeStages, type AnalysisReport } from '../../engine/analysis/index.ts';
import { emptyDecisions, type ReviewedStage, type ReviewRegion } from '../../engine/review/index.ts';
import { stageUI, stageUIs } from '../../stages/ui.ts';
import type { AppState, ResultSummary, StageChoice, StageOutcome } from './types.ts';

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  return 'Something went wrong.';
}

/** Bumped for every new photo or run, so late answers for an older one are dropped. */
let generation = 0;

export function currentGeneration(): number {
  return generation;
}

export function nextGeneration(): number {
  return ++generation;
}

export function defaultChoices(): Record<string, StageChoice> {
  return Object.fromEntries(stageUIs.map((s) => [s.meta.id, { enabled: false, options: { ...s.meta.defaults } }]));
}

export function choicesFrom(report: AnalysisReport): Record<string, StageChoice> {
  const choices = defaultChoices();
  for (const p of proposeStages(report)) {
    const c = choices[p.stage];
    if (!c) continue;
    choices[p.stage] = { enabled: true, options: { ...c.options, strength: p.strength }, why: p.why };
  }
  return choices;
}

export function summary(o: Omit<StageOutcome, 'image' | 'changeMap'>): ResultSummary {
  return { stage: o.stage, method: o.method, model: o.model?.id, detail: o.detail, ms: o.ms, changed: o.changed };
}

/** A review with nothing decided yet. */
export function freshReview() {
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

export function reviewedStages(outcomes: StageOutcome[]): ReviewedStage[] {
  return outcomes.map((o) => ({ stage: o.stage, image: o.image, changeMap: o.changeMap, control: stageUI(o.stage)?.meta.control ?? 'strength', scope: stageUI(o.stage)?.meta.scope }));
}

/** The run's regions and the user's marked ones. */
export function regionsOf(s: Pick<AppState, 'result' | 'decisions'>): ReviewRegion[] {
  return s.result ? [...s.result.regions, ...s.decisions.marked] : [];
}
