import { describe, expect, it } from 'vitest';
import { planarToRGBA, type PlanarImage } from '../../src/engine/image.ts';
import { syntheticPhoto } from '../../src/engine/degradations/synthetic.ts';
import { gaussianBlur } from '../../src/engine/classical/blur.ts';
import { unsharpMask } from '../../src/engine/classical/sharpen.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { analyzePhoto, proposeStages } from '../../src/engine/analysis/index.ts';
import { BLUR_BEYOND, sharpeningGain, SHARPEN_GAIN_MIN, withBlurModelVerdict } from '../../src/stages/deblur/analysis.ts';
import { stageRegistry } from '../../src/stages/index.ts';

/** A stand-in for the deblurring session: it applies `fn` to each tile (strength ignored). */
function fakeDeblur(fn: (t: PlanarImage) => PlanarImage): ModelRunner {
  return {
    entry: { id: 'fake-deblur', version: '0', preferredTile: 256, tileOverlap: 16, sizeMultiple: 1 },
    run: async (tile: PlanarImage) => fn(tile),
  } as unknown as ModelRunner;
}

const sharpPhoto = () => planarToRGBA(syntheticPhoto(300, 220, 7, { texture: 0.05 }));

describe('blur judged by the deblurring model', () => {
  it('a model that changes nothing measures a gain of 1; one that sharpens, more', async () => {
    const img = planarToRGBA(gaussianBlur(syntheticPhoto(300, 220, 7, { texture: 0.05 }), 1.5));
    expect(await sharpeningGain(img, fakeDeblur((t) => t))).toBeCloseTo(1, 6);
    const gain = await sharpeningGain(img, fakeDeblur((t) => unsharpMask(t, { sigma: 1.5, amount: 2, threshold: 0 })));
    expect(gain).toBeGreaterThan(SHARPEN_GAIN_MIN);
  });

  it('a photo the model leaves alone is sharp, whatever the classical estimate; one it sharpens is proposed', () => {
    const report = analyzePhoto(sharpPhoto(), stageRegistry.all());
    const alone = withBlurModelVerdict(report, 1.02);
    expect(alone.defects.find((d) => d.defect === 'blur')!.verdict).toBe('none');
    expect(proposeStages(alone).map((p) => p.stage)).not.toContain('deblur');
    const soft = withBlurModelVerdict({ ...report, measurements: { ...report.measurements, blurRadiusEstimate: 1 } }, 2.4);
    expect(soft.defects.find((d) => d.defect === 'blur')).toMatchObject({ verdict: 'fixable', proposedStage: 'deblur' });
    expect(proposeStages(soft).map((p) => p.stage)).toContain('deblur');
    expect(soft.defects.filter((d) => d.defect === 'blur')).toHaveLength(1);
  });

  it('past what the model learned, the report says the detail is gone', () => {
    const report = analyzePhoto(sharpPhoto(), stageRegistry.all());
    const far = withBlurModelVerdict({ ...report, measurements: { ...report.measurements, blurRadiusEstimate: BLUR_BEYOND + 1 } }, 1.1);
    const blur = far.defects.find((d) => d.defect === 'blur')!;
    expect(blur.verdict).toBe('beyond-repair');
    expect(blur.reason).toMatch(/cannot be restored/);
  });
});

describe('halo measure of the deblur evaluation', () => {
  it('is zero for the sharp photo and a blur of it, and large for an over-sharpened edge', async () => {
    const { haloRms } = await import('../../src/engine/metrics/index.ts');
    const clean = syntheticPhoto(120, 90, 3, { texture: 0.02 });
    expect(haloRms(clean, clean)).toBe(0);
    expect(haloRms(gaussianBlur(clean, 1.5), clean)).toBeLessThan(0.05);
    const ringing = unsharpMask(clean, { sigma: 2, amount: 3, threshold: 0 });
    expect(haloRms(ringing, clean)).toBeGreaterThan(1);
  });
});
