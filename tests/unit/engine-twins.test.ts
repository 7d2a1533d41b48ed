/**
 * Parity of the logic that exists in both the engine and training/ (Python). The inputs and the
 * Python outputs come from training/tools/engine_twins.py (whose --check, run by training/smoke.sh,
 * holds the Python side to the same file); here the TypeScript side must give the same outputs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPlanar, createRGBA, rgbaToPlanar } from '../../src/engine/image.ts';
import { planAxis } from '../../src/engine/tiling.ts';
import { haloRms } from '../../src/engine/metrics/index.ts';
import { estimateWeight, useEstimate } from '../../src/engine/classical/deconvolution.ts';
import { applyCurves } from '../../src/stages/colour/model-correction.ts';
import { classifyDamage } from '../../src/engine/damage/detect.ts';

const twins = JSON.parse(readFileSync(new URL('../fixtures/engine-twins.json', import.meta.url), 'utf8'));
const { inputs, python } = twins;

/** An 8-bit photo from the fixture's [row][column][rgb] lists. */
function photo(rows: number[][][]) {
  const img = createRGBA(rows[0].length, rows.length);
  rows.forEach((row, y) => row.forEach((px, x) => img.data.set([...px, 255], (y * img.width + x) * 4)));
  return img;
}

describe('engine and training twins agree', () => {
  it('tile plan: planAxis (feather 0) = export.py plan_axis', () => {
    inputs.plan.forEach(([length, tile, overlap, sizeMultiple]: number[], k: number) => {
      expect(planAxis(length, { tile, overlap, sizeMultiple, feather: 0 })).toEqual(python.plan[k]);
    });
  });

  it('halo measure: haloRms = metrics.halo_rms', () => {
    const out = rgbaToPlanar(photo(inputs.halo.out)), clean = rgbaToPlanar(photo(inputs.halo.clean));
    expect(haloRms(out, clean)).toBeCloseTo(python.halo, 4);
  });

  it('camera-shake gate: useEstimate / estimateWeight = deconv.use_estimate / estimate_weight', () => {
    inputs.gate.forEach((c: { spread: number; elongation: number; compactness: number; zeros_ratio: number | null }, k: number) => {
      const checks = { spread: c.spread, elongation: c.elongation, compactness: c.compactness, zerosRatio: c.zeros_ratio ?? Infinity };
      expect({ use: useEstimate(checks), weight: estimateWeight(checks) }).toEqual(python.gate[k]);
    });
    // The fixture reaches every branch of the gate.
    expect(new Set(python.gate.map((g: { weight: number }) => g.weight))).toEqual(new Set([0, 0.5, 1]));
  });

  it("colour model's correction: applyCurves = colour_curves.apply_correction (to the 8-bit rounding)", () => {
    const { curves, gains } = inputs.colour;
    const out = applyCurves(photo(inputs.colour.photo), { curves: curves.map((c: number[]) => Float32Array.from(c)), gains: gains.map((g: number[]) => Float32Array.from(g)), knots: curves[0].length, grid: Math.sqrt(gains[0].length) }, 1);
    python.colour.forEach((row: number[][], y: number) =>
      row.forEach((px, x) => px.forEach((v, c) => expect(Math.abs(out.data[(y * out.width + x) * 4 + c] - v)).toBeLessThanOrEqual(0.51))),
    );
  });

  it("detector's class rule: classifyDamage = tasks.classify_damage", () => {
    const probs: number[][][] = inputs.classes.probs;
    const H = probs[0].length, W = probs[0][0].length;
    const planes = createPlanar(W, H, 2);
    planes.data.set(probs.flat(2));
    const { defect, missing } = classifyDamage(planes, inputs.classes.threshold);
    expect(Array.from(defect)).toEqual(python.classes.defect.flat());
    expect(Array.from(missing)).toEqual(python.classes.missing.flat());
  });
});
