/**
 * The do-no-harm rules of the real-photo bench on small generated photos: each rule breaks on
 * the harm it names and holds on what the stages now do (a sepia ramp, a low-key photo, a faded
 * print, a soft photo, a textured one).
 */
import { describe, expect, it } from 'vitest';
import { createRGBA, rgbaToPlanar, planarToRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { applyCurves } from '../../src/stages/colour/model-correction.ts';
import { toneStats } from '../../src/engine/analysis/tone.ts';
import { damageCertainty } from '../../src/engine/damage/certainty.ts';
import { damageVerdict } from '../../src/stages/fill/analysis.ts';
import { standaloneContext } from '../../src/engine/pipeline/stage.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { unsharpMask } from '../../src/engine/classical/sharpen.ts';
import { haloRms } from '../../src/engine/metrics/index.ts';
import { checkRules, type RuleInput } from '../../src/node/eval/real/rules.ts';
import { stage as colourStage } from '../../src/stages/colour/worker.ts';

const W = 96, H = 64;
const K = 17, G = 4;

function photo(fn: (x: number, y: number) => [number, number, number]): RGBAImage {
  const img = createRGBA(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const [r, g, b] = fn(x, y);
      img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
    }
  }
  return img;
}

/** Deterministic grain in [-1, 1]. */
const grain = (x: number, y: number) => Math.sin(x * 12.9898 + y * 78.233) * 43758.5453 % 1;

/** A sepia print: warm brown at every lightness, lightness rising left to right, with lifted blacks when `faded`. */
const sepiaRamp = (faded = false) => photo((x, y) => {
  const t = (x + 0.3 * y) / (W + 0.3 * H);
  const v = faded ? 70 + 150 * t : 10 + 235 * t;
  const n = 2 * grain(x, y);
  return [v + n, v * 0.86 + n, v * 0.68 + n];
});

/** A low-key photo: mostly dark, a few bright details, blacks already black. */
const lowKey = () => photo((x, y) => {
  const v = (x - 60) ** 2 + (y - 30) ** 2 < 80 ? 200 : 6 + 50 * ((x * y) % 17) / 17;
  return [v, v, v];
});

/** The shipped colour model's harm on real prints, as a stand-in: blue and red pulled down (olive), everything darker. */
function harmfulRunner(): ModelRunner {
  const curve = (gamma: number, gain: number) => Float32Array.from({ length: K }, (_, i) => gain * (i / (K - 1)) ** gamma);
  const curves = [curve(1.6, 0.8), curve(1.3, 0.95), curve(1.0, 1.0)];
  return {
    entry: { id: 'harmful', version: '0', io: { input: 'input', output: 'curves', gains: 'gains', thumbnail: 64, knots: K, grid: G } },
    runOutputs: async () => {
      const c = new Float32Array(3 * K);
      curves.forEach((k, i) => c.set(k, i * K));
      return { curves: { data: c, dims: [1, 3, K] }, gains: { data: new Float32Array(3 * G * G), dims: [1, 3, G, G] } };
    },
  } as unknown as ModelRunner;
}

const rawModel = (img: RGBAImage) => {
  const curve = (gamma: number, gain: number) => Float32Array.from({ length: K }, (_, i) => gain * (i / (K - 1)) ** gamma);
  return applyCurves(img, { curves: [curve(1.6, 0.8), curve(1.3, 0.95), curve(1.0, 1.0)], gains: [0, 1, 2].map(() => new Float32Array(G * G)), knots: K, grid: G }, 1);
};

const colourStageOn = async (img: RGBAImage) => (await colourStage.run(img, { strength: 1 }, standaloneContext(harmfulRunner()))).image;

function input(before: RGBAImage, after: RGBAImage, over: Partial<RuleInput> = {}): RuleInput {
  return { before, after, castRepair: false, rangeRepair: false, noiseSigma: 1, proposed: [], fillShare: 0, inventedApplied: 0, damaged: false, ...over };
}

describe('do-no-harm rules', () => {
  it('a sepia ramp is seen as toned; turning it olive breaks the rule, the colour stage keeps its tone', async () => {
    const sepia = sepiaRamp();
    expect(toneStats(sepia).toned).toBe(true);
    const olive = checkRules(input(sepia, rawModel(sepia)));
    expect(olive.harms.some((h) => h.includes("toned print's hue moved"))).toBe(true);
    const kept = checkRules(input(sepia, await colourStageOn(sepia)));
    expect(kept.harms).toEqual([]);
    expect(kept.after.toned).toBe(true);
  });

  it('a faded sepia print gets its blacks back to L* 8 or below, still toned, with no rule broken', async () => {
    const faded = sepiaRamp(true);
    expect(toneStats(faded).p1L).toBeGreaterThan(15);
    const out = await colourStageOn(faded);
    const r = checkRules(input(faded, out, { rangeRepair: true }));
    expect(r.harms).toEqual([]);
    expect(r.after.p1L).toBeLessThanOrEqual(8);
    expect(r.after.toned).toBe(true);
  });

  it('a grey photo stays grey; gaining colour breaks the rule', async () => {
    const grey = photo((x, y) => { const v = 20 + 2 * x + grain(x, y) * 3; return [v, v, v]; });
    expect(checkRules(input(grey, await colourStageOn(grey))).harms).toEqual([]);
    const tinted = photo((x) => { const v = 20 + 2 * x; return [v + 12, v, v - 12]; });
    expect(checkRules(input(grey, tinted)).harms.some((h) => h.includes('grey photo gained colour'))).toBe(true);
  });

  it('a low-key photo is not faded: darkening or lightening it by more than 6 L* breaks the rule, the stage keeps it', async () => {
    const dark = lowKey();
    const lifted = photo((x, y) => dark.data.slice((y * W + x) * 4, (y * W + x) * 4 + 3).map((v) => v + 40) as unknown as [number, number, number]);
    expect(checkRules(input(dark, lifted)).harms.some((h) => h.includes('mean L* moved'))).toBe(true);
    const out = await colourStageOn(dark);
    expect(checkRules(input(dark, out)).harms).toEqual([]);
  });

  it('clipping more than 0.5% of the pixels to black or white breaks the rule even when the range is repaired', () => {
    const faded = sepiaRamp(true);
    const crushed = photo((x, y) => (x < W / 4 ? [0, 0, 0] : [...faded.data.slice((y * W + x) * 4, (y * W + x) * 4 + 3)] as [number, number, number]));
    expect(checkRules(input(faded, crushed, { rangeRepair: true })).harms.some((h) => h.includes('clipped'))).toBe(true);
  });

  it('a soft photo: halo and speckle past the limit break the rule, a gentle change does not', () => {
    const soft = photo((x) => { const v = 128 + 100 * Math.tanh((x - W / 2) / 4); return [v, v, v]; });
    const hard = planarToRGBA(unsharpMask(rgbaToPlanar(soft), { sigma: 2, amount: 4 }));
    const halo = haloRms(rgbaToPlanar(hard), rgbaToPlanar(soft));
    expect(checkRules(input(soft, hard, { halo })).harms.some((h) => h.includes('halo'))).toBe(true);
    const gentle = planarToRGBA(unsharpMask(rgbaToPlanar(soft), { sigma: 1, amount: 0.2 }));
    expect(checkRules(input(soft, gentle, { halo: haloRms(rgbaToPlanar(gentle), rgbaToPlanar(soft)) })).harms).toEqual([]);
  });

  it('a textured photo: many doubtful finds are not sure damage, and filling it breaks the rule', () => {
    const n = W * H, found = new Uint8Array(n), conf = new Float32Array(n);
    // Grain-like finds: many small groups at middling confidence.
    for (let i = 0; i < n; i += 37) { found[i] = 1; conf[i] = 0.6 + 0.2 * Math.abs(grain(i, 1)); }
    expect(damageCertainty(found, (i) => conf[i], W, H).sure).toBe(false);
    // A crack network: long confident lines over 3% of the photo.
    const cracks = new Uint8Array(n);
    for (let y = 0; y < H; y += 8) for (let x = 0; x < W; x++) cracks[y * W + x] = 1;
    expect(damageCertainty(cracks, () => 0.97, W, H).sure).toBe(true);
    const texture = photo((x, y) => { const v = 128 + 60 * grain(x, y); return [v, v, v]; });
    expect(checkRules(input(texture, texture, { fillShare: 0.005 })).harms.some((h) => h.includes('undamaged'))).toBe(true);
    expect(checkRules(input(texture, texture, { fillShare: 0.005, damaged: true })).harms).toEqual([]);
    expect(checkRules(input(texture, texture, { inventedApplied: 1, damaged: true })).harms.some((h) => h.includes('invented'))).toBe(true);
  });

  it('noise is noise: visible noise owes the denoiser, and is neither sharpened nor filled', () => {
    const g = photo((x, y) => { const v = 120 + 30 * grain(x, y); return [v, v, v]; });
    expect(checkRules(input(g, g, { noiseSigma: 12, proposed: ['denoise'] })).harms).toEqual([]);
    expect(checkRules(input(g, g, { noiseSigma: 12, proposed: [] })).harms.some((h) => h.includes('no denoising'))).toBe(true);
    expect(checkRules(input(g, g, { noiseSigma: 12, proposed: ['denoise', 'deblur'] })).harms.some((h) => h.includes('sharpening'))).toBe(true);
    expect(checkRules(input(g, g, { noiseSigma: 12, proposed: ['denoise'], fillShare: 0.05, damaged: true })).harms.some((h) => h.includes('noise taken for damage'))).toBe(true);
  });
});

describe('the damage report tells the truth', () => {
  it('names sure damage and proposes the fill; says when it is unsure; on grain proposes nothing but does not call it fine', () => {
    const sure = damageVerdict({ defectShare: 0.04, missingShare: 0, sure: true }, 4);
    expect([sure.verdict, sure.proposedStage]).toEqual(['fixable', 'fill']);
    expect(sure.reason).toMatch(/scratches, dust or cracks on about 4%/);
    const unsure = damageVerdict({ defectShare: 0.005, missingShare: 0, sure: false }, 2);
    expect(unsure.proposedStage).toBe('fill');
    expect(unsure.reason).toMatch(/unsure/);
    expect(unsure.reason).toMatch(/brush/);
    const grainy = damageVerdict({ defectShare: 0.06, missingShare: 0, sure: false }, 14);
    expect(grainy.proposedStage).toBeUndefined();
    expect(grainy.verdict).not.toBe('none');
    expect(grainy.reason).toMatch(/grain/);
    expect(damageVerdict({ defectShare: 0, missingShare: 0 }).verdict).toBe('none');
  });
});
