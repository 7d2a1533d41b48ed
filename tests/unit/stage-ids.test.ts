import { describe, expect, it } from 'vitest';
import { withCurrentStageIds } from '../../src/app/persistence/projects.ts';
import { FORMER_STAGE_IDS } from '../../src/stages/ui.ts';
import { stageRegistry } from '../../src/stages/index.ts';

describe('a renamed stage keeps working under its former id', () => {
  it('the registry resolves the former id, and a run reports the current one', () => {
    expect(stageRegistry.resolve('sharpen')).toBe('deblur');
    expect(stageRegistry.get('sharpen').meta.id).toBe('deblur');
    expect(FORMER_STAGE_IDS.get('sharpen')).toBe('deblur');
  });

  it('a saved project opens with its choices, results and decisions under the current id', () => {
    const patch = new Uint8ClampedArray([1, 2, 3, 4]);
    const doc = {
      choices: { sharpen: { enabled: true, options: { strength: 0.4 } }, denoise: { enabled: false } },
      analysis: { defects: [{ defect: 'blur', proposedStage: 'sharpen', reason: 'Slightly soft: sharpening helps.' }] },
      result: { stages: [{ stage: 'sharpen', ms: 3 }] },
      decisions: { stages: { sharpen: false }, patches: [{ stage: 'sharpen', regionId: 'sharpen-2', pixels: patch }] },
    };
    const now = withCurrentStageIds(doc as typeof doc & { choices: Record<string, unknown>; decisions: { stages: Record<string, boolean> } }, FORMER_STAGE_IDS);
    expect(Object.keys(now.choices)).toEqual(['deblur', 'denoise']);
    expect(now.choices.deblur).toEqual({ enabled: true, options: { strength: 0.4 } });
    expect(now.analysis.defects[0].proposedStage).toBe('deblur');
    expect(now.analysis.defects[0].reason).toBe('Slightly soft: sharpening helps.'); // words are not ids
    expect(now.result.stages[0].stage).toBe('deblur');
    expect(now.decisions.stages).toEqual({ deblur: false });
    expect(now.decisions.patches[0]).toMatchObject({ stage: 'deblur', regionId: 'sharpen-2' });
    expect(now.decisions.patches[0].pixels).toBe(patch); // typed arrays pass through untouched
  });
});
