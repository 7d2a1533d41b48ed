import { describe, expect, it } from 'vitest';
import { planarToRGBA, type PlanarImage } from '../../src/engine/image.ts';
import { syntheticPhoto } from '../../src/engine/degradations/synthetic.ts';
import { gaussianNoise } from '../../src/engine/degradations/degradations.ts';
import { gaussianBlur } from '../../src/engine/classical/blur.ts';
import { analyzePhoto, estimateNoiseSigma, proposeStages, noiseVarianceFromEigenvalues, symmetricEigenvalues } from '../../src/engine/analysis/index.ts';
import { stageRegistry } from '../../src/stages/index.ts';

/** Natural-ish test photo: full tonal range, moderate colours, soft texture. */
function photo(w = 256, h = 192, seed = 3): PlanarImage {
  const img = syntheticPhoto(w, h, seed, { texture: 0.03 });
  // Stretch luma to nearly the full range (a well-exposed photo), same curve for all channels.
  const n = w * h;
  let lo = 1, hi = 0;
  for (let i = 0; i < n; i++) {
    const l = 0.299 * img.data[i] + 0.587 * img.data[n + i] + 0.114 * img.data[2 * n + i];
    lo = Math.min(lo, l); hi = Math.max(hi, l);
  }
  for (let i = 0; i < img.data.length; i++) img.data[i] = 0.01 + (0.98 * (img.data[i] - lo)) / (hi - lo);
  return img;
}

/** Mid-range version for noise tests, so strong noise is rarely clipped by 8-bit storage. */
function midPhoto(): PlanarImage {
  const img = syntheticPhoto(256, 192, 5, { texture: 0.03 });
  for (let i = 0; i < img.data.length; i++) img.data[i] = 0.5 + 0.45 * (img.data[i] - 0.5);
  return img;
}

describe('noise estimation (PCA, Chen et al. 2015)', () => {
  it.each([5, 10, 25, 50])('tracks sigma %i within 20%%', (sigma) => {
    const est = estimateNoiseSigma(planarToRGBA(gaussianNoise(midPhoto(), sigma, 17)));
    expect(Math.abs(est - sigma) / sigma).toBeLessThan(0.2);
  });
  it('reports ~0-2 for a clean photo', () => {
    expect(estimateNoiseSigma(planarToRGBA(photo()))).toBeLessThan(2);
  });
  it('eigen-solver and mean=median selection behave', () => {
    const a = new Float64Array([4, 1, 0, 1, 3, 0, 0, 0, 2]);
    const ev = Array.from(symmetricEigenvalues(a, 3)).sort((x, y) => x - y);
    expect(ev[0]).toBeCloseTo(2, 8);
    expect(ev[1]).toBeCloseTo((7 - Math.sqrt(5)) / 2, 8);
    expect(noiseVarianceFromEigenvalues(new Float64Array([100, 50, 1.1, 1, 0.9]))).toBeCloseTo(1, 8);
  });
});

describe('analyzePhoto / proposeStages', () => {
  it('a clean, well-exposed photo has no defects and gets no stages', () => {
    const report = analyzePhoto(planarToRGBA(photo(400, 320)), stageRegistry.all());
    const bad = report.defects.filter((d) => d.verdict !== 'none');
    expect(bad.map((d) => `${d.defect}: ${d.reason}`)).toEqual([]);
    expect(proposeStages(report)).toEqual([]);
    expect(report.measurements.megapixels).toBeCloseTo(0.128, 3);
  });
  it('a faded, colour-cast photo gets a colour stage', () => {
    const img = photo(400, 320);
    const n = 400 * 320;
    const lift = [0.25, 0.18, 0.1], gain = [0.65, 0.6, 0.5];
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) img.data[c * n + i] = lift[c] + gain[c] * img.data[c * n + i];
    const report = analyzePhoto(planarToRGBA(img), stageRegistry.all());
    const colour = report.defects.find((d) => d.defect === 'colour')!;
    const fading = report.defects.find((d) => d.defect === 'fading')!;
    expect(colour.verdict).toBe('fixable');
    expect(fading.verdict).toBe('fixable');
    expect(colour.reason).toMatch(/\d/);
    expect(proposeStages(report).map((s) => s.stage)).toEqual(['colour']);
  });
  it('keeps a black-and-white photo free of colour verdicts', () => {
    const img = photo(320, 320);
    const n = 320 * 320;
    for (let i = 0; i < n; i++) {
      const l = 0.299 * img.data[i] + 0.587 * img.data[n + i] + 0.114 * img.data[2 * n + i];
      img.data[i] = img.data[n + i] = img.data[2 * n + i] = l;
    }
    const report = analyzePhoto(planarToRGBA(img), stageRegistry.all());
    expect(report.measurements.monochrome).toBe(true);
    expect(report.defects.find((d) => d.defect === 'colour')!.verdict).toBe('none');
  });
  it('detects blur and proposes sharpening; detects noise and proposes denoising', () => {
    const blurred = analyzePhoto(planarToRGBA(gaussianBlur(photo(400, 320), 3)), stageRegistry.all());
    const b = blurred.defects.find((d) => d.defect === 'blur')!;
    expect(b.verdict).toBe('fixable');
    expect(blurred.measurements.blurRadiusEstimate).toBeGreaterThan(2);
    expect(blurred.measurements.blurRadiusEstimate).toBeLessThan(4.5);
    expect(proposeStages(blurred).map((s) => s.stage)).toContain('deblur');

    const noisy = analyzePhoto(planarToRGBA(gaussianNoise(midPhoto(), 20, 3)), stageRegistry.all());
    const nz = noisy.defects.find((d) => d.defect === 'noise')!;
    expect(nz.verdict).toBe('fixable');
    expect(proposeStages(noisy).map((s) => s.stage)).toContain('denoise');
    expect(noisy.defects.find((d) => d.defect === 'blur')!.verdict).toBe('none');
  });
  it('lists proposals in the order the pipeline runs the stages', () => {
    const verdict = (proposedStage: string) => ({ defect: 'noise' as const, severity: 1, verdict: 'fixable' as const, reason: proposedStage, proposedStage });
    const report = { ...analyzePhoto(planarToRGBA(photo(64, 64)), stageRegistry.all()), defects: ['denoise', 'colour', 'deblur', 'fill'].map(verdict) };
    expect(proposeStages(report, stageRegistry.ids()).map((p) => p.stage)).toEqual(['fill', 'colour', 'deblur', 'denoise']);
    expect(stageRegistry.ids()).toEqual(['fill', 'colour', 'deblur', 'denoise']); // ids() lists the stages by meta.order
  });
  it('flags low resolution as partly fixable', () => {
    const report = analyzePhoto(planarToRGBA(photo(200, 150)), stageRegistry.all());
    const r = report.defects.find((d) => d.defect === 'resolution')!;
    expect(r.verdict).toBe('partly-fixable');
    expect(r.reason).toContain('150');
  });
});

describe('denoise strength proposal', () => {
  it('proposes full strength for clearly noisy photos and keeps some grain on lightly noisy ones', () => {
    const clean = syntheticPhoto(256, 256, 9);
    const strengthAt = (sigma: number) =>
      proposeStages(analyzePhoto(planarToRGBA(gaussianNoise(clean, sigma, 1)), stageRegistry.all())).find((p) => p.stage === 'denoise')?.strength;
    expect(strengthAt(20)).toBe(1);
    const light = strengthAt(5)!;
    expect(light).toBeGreaterThan(0.55);
    expect(light).toBeLessThan(0.9);
  });
});
