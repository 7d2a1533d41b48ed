/** Every stage, UI side: its metadata and its options panel (kept apart from worker code so the main bundle stays small). */
import type { ComponentType } from 'react';
import type { StageMeta } from '../engine/pipeline/stage.ts';
import type { StageOptionsProps } from '../app/components/StrengthSlider.tsx';
import * as colour from './colour/client.tsx';
import { meta as colourMeta } from './colour/meta.ts';
import * as denoise from './denoise/client.tsx';
import { meta as denoiseMeta } from './denoise/meta.ts';
import * as fill from './fill/client.tsx';
import { meta as fillMeta } from './fill/meta.ts';
import * as deblur from './deblur/client.tsx';
import { meta as deblurMeta } from './deblur/meta.ts';

export interface StageUI {
  meta: StageMeta;
  Options: ComponentType<StageOptionsProps>;
}

export const stageUIs: StageUI[] = [
  { meta: fillMeta, Options: fill.Options },
  { meta: colourMeta, Options: colour.Options },
  { meta: deblurMeta, Options: deblur.Options },
  { meta: denoiseMeta, Options: denoise.Options },
].sort((a, b) => a.meta.order - b.meta.order);

/** Former stage ids -> current ones, from the stages' `aliases` (projects saved before a rename). */
export const FORMER_STAGE_IDS: ReadonlyMap<string, string> = new Map(stageUIs.flatMap((s) => (s.meta.aliases ?? []).map((a) => [a, s.meta.id] as [string, string])));

export function stageUI(id: string): StageUI | undefined {
  return stageUIs.find((s) => s.meta.id === id);
}

/**
 * The mask-driven stage (its meta's `control: 'mask'`): the one that fills the damage the user
 * marks with the brush. Exactly one stage is.
 */
export const MARKING_STAGE: StageMeta = (() => {
  const masked = stageUIs.filter((s) => s.meta.control === 'mask');
  if (masked.length !== 1) throw new Error(`Exactly one stage must be mask-driven; found ${masked.length}.`);
  return masked[0].meta;
})();
