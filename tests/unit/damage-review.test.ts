import { describe, expect, it } from 'vitest';
import { createPlanar, createRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { classMask, damageClassOf, damageConfidenceOf, damageMap, encodeDamage } from '../../src/engine/damage/damage-map.ts';
import { damageProbabilities, detectDamage, fillMaskOf } from '../../src/engine/damage/detect.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import { addFillGrain, COARSE_THIN_DEPTH, FILL_VIEWS_BUDGET, fillCrops, fillMasked, thinGroups } from '../../src/stages/fill/fill-masked.ts';
import { mirrorPlanar } from '../../src/engine/image.ts';
import {
  composeReview, cutRect, damageRegions, decideRegion, decideStage, emptyDecisions, isAccepted, reviewLayers, runRegions, withMarked,
  type ReviewedStage,
} from '../../src/engine/review/index.ts';
import { stage as fillStage } from '../../src/stages/fill/worker.ts';
import type { StageContext } from '../../src/engine/pipeline/stage.ts';

const W = 80, H = 60;

function image(fn: (x: number, y: number, c: number) => number): RGBAImage {
  const img = createRGBA(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) img.data[(y * W + x) * 4 + c] = c === 3 ? 255 : fn(x, y, c);
  return img;
}
const pixel = (img: RGBAImage, x: number, y: number) => Array.from(img.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 3));
const classical: StageContext = { runner: async () => null, progress: () => {}, shouldStop: () => false };

describe('damage map', () => {
  it('round-trips class and confidence in one byte', () => {
    for (const cls of ['defect', 'missing'] as const) {
      for (const c of [0, 0.37, 0.5, 1]) {
        const v = encodeDamage(cls, c);
        expect(damageClassOf(v)).toBe(cls);
        expect(damageConfidenceOf(v)).toBeCloseTo(c, 1);
      }
    }
    expect(damageClassOf(0)).toBeNull();
  });

  it('missing wins where both masks are set', () => {
    const map = damageMap(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([0, 1, 1, 0]), Float32Array.from([0.9, 0.8, 0.7, 0]));
    expect(Array.from(map, damageClassOf)).toEqual(['defect', 'missing', 'missing', null]);
    expect(Array.from(classMask(map, 'missing'))).toEqual([0, 1, 1, 0]);
  });
});

/** A photo with a thin bright line (row 10) and a square "hole" (the lid showing). */
const photo = image((x, y, c) => 60 + x + (c === 1 ? y : 0));
function damagedPhoto() {
  const img = image((x, y, c) => photo.data[(y * W + x) * 4 + c]);
  const defect = new Uint8Array(W * H), missing = new Uint8Array(W * H);
  for (let x = 5; x < 70; x++) {
    defect[10 * W + x] = 1;
    img.data.set([250, 250, 250], (10 * W + x) * 4);
  }
  for (let y = 30; y < 50; y++) {
    for (let x = 40; x < 60; x++) {
      missing[y * W + x] = 1;
      img.data.set([240, 236, 225], (y * W + x) * 4);
    }
  }
  return { img, defect, missing };
}

describe('fill', () => {
  it('groups damage into crops with context, merging crops that overlap', () => {
    const { defect, missing } = damagedPhoto();
    const both = defect.map((v, i) => v | missing[i]);
    expect(fillCrops(both, W, H, 4)).toHaveLength(2);
    expect(fillCrops(both, W, H, 16)).toHaveLength(1);
    expect(fillCrops(both, W, H, 4)).toContainEqual({ x0: 1, y0: 6, x1: 74, y1: 15 });
  });

  it('changes only the masked pixels, and brings them close to the photo', async () => {
    const { img, defect, missing } = damagedPhoto();
    const mask = defect.map((v, i) => v | missing[i]);
    const out = await fillMasked(img, mask, null);
    let outsideSame = true;
    let err = 0, n = 0;
    for (let i = 0; i < W * H; i++) {
      for (let c = 0; c < 3; c++) {
        if (!mask[i]) outsideSame &&= out.data[i * 4 + c] === img.data[i * 4 + c];
        else if (defect[i]) {
          err += Math.abs(out.data[i * 4 + c] - photo.data[i * 4 + c]);
          n++;
        }
      }
    }
    expect(outsideSame).toBe(true);
    // The line was 250 on a ~100 background: filled from its neighbours it is within a few levels.
    expect(err / n).toBeLessThan(4);
  });

  it('gives a wide fill the grain of the print beside it, and leaves a thin one smooth', async () => {
    // a grainy grey print (deterministic +-12 level grain, unlike either neighbour) with an 8 px crack
    const grain = (x: number, y: number) => ((((x * 73856093) ^ (y * 19349663)) >>> 0) % 25) - 12;
    const img = image((x, y) => 120 + grain(x, y));
    const wide = new Uint8Array(W * H), thin = new Uint8Array(W * H);
    for (let y = 10; y < 50; y++) for (let x = 36; x < 44; x++) wide[y * W + x] = 1;
    for (let y = 10; y < 50; y++) thin[y * W + 20] = 1;
    const texture = (out: RGBAImage, mask: Uint8Array, inside: boolean) => {
      let ss = 0, n = 0;
      for (let y = 11; y < 49; y++) for (let x = 1; x < W - 1; x++) {
        if (!!mask[y * W + x] !== inside || !mask[y * W + x - 1] !== !inside || !mask[y * W + x + 1] !== !inside) continue;
        const v = out.data[(y * W + x) * 4], m = (out.data[(y * W + x - 1) * 4] + out.data[(y * W + x + 1) * 4]) / 2;
        ss += (v - m) ** 2;
        n++;
      }
      return Math.sqrt(ss / n);
    };
    const out = await fillMasked(img, wide, null);
    const around = texture(img, wide, false), filled = texture(out, wide, true);
    expect(around).toBeGreaterThan(5);
    expect(filled).toBeGreaterThan(0.6 * around);
    expect(filled).toBeLessThan(1.5 * around);
    for (let i = 0; i < W * H; i++) if (!wide[i]) expect(out.data[i * 4]).toBe(img.data[i * 4]);
    // a 1 px line: every filled pixel touches the edge, so no grain is added to what the fill made
    const src = createPlanar(W, H, 4), filledThin = createPlanar(W, H, 3);
    for (let i = 0; i < W * H; i++) { src.data[i] = img.data[i * 4] / 255; src.data[3 * W * H + i] = thin[i]; filledThin.data[i] = 0.5; }
    const before = filledThin.data.slice();
    addFillGrain(src, filledThin);
    expect([...filledThin.data]).toEqual([...before]);
    // nor a 24 px hole: too deep to copy a 4 px band's grain over
    for (let i = 0; i < W * H; i++) src.data[3 * W * H + i] = (i % W) >= 28 && (i % W) < 52 && i / W >= 18 && i / W < 42 ? 1 : 0;
    addFillGrain(src, filledThin);
    expect([...filledThin.data]).toEqual([...before]);
  });

  it('mirrors a crop for the averaged model views, and mirroring twice gives it back', () => {
    const img = createPlanar(3, 2, 2);
    img.data.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...mirrorPlanar(img, 1).data]).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);
    expect([...mirrorPlanar(img, 2).data]).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
    expect([...mirrorPlanar(img, 3).data]).toEqual([6, 5, 4, 3, 2, 1, 12, 11, 10, 9, 8, 7]);
    for (const v of [0, 1, 2, 3]) expect([...mirrorPlanar(mirrorPlanar(img, v), v).data]).toEqual([...img.data]);
  });

  it('the fill mask grows all damage by a pixel (the soft edges of scratches and tears)', () => {
    const { defect, missing } = damagedPhoto();
    const m = fillMaskOf({ defect, missing }, W, H);
    expect(m[9 * W + 20]).toBe(1);
    expect(m[11 * W + 20]).toBe(1);
    expect(m[12 * W + 20]).toBe(0);
    expect(m[28 * W + 50]).toBe(0);
    expect(m[29 * W + 50]).toBe(1);
    expect(m[30 * W + 50]).toBe(1);
  });

  it('with a mask the stage fills exactly it, as a defect the user marked (confidence 1)', async () => {
    const { img, defect } = damagedPhoto();
    const out = await fillStage.run(img, { strength: 1 }, classical, defect);
    expect(out.mask).toEqual(defect);
    expect(Array.from(out.changeMap!).every((v, i) => (defect[i] ? v === encodeDamage('defect', 1) : v === 0))).toBe(true);
  });
});

describe('fill on a large photo with damage all over it', () => {
  // 3300 x 1300 (the detector shrinks it 3x): a 2 px line every 50 px, whose crops add up to the whole
  // photo, and one 36 x 40 px hole, too deep for the shrunk fill. The stand-in model fills with mid grey.
  const LW = 3300, LH = 1300;
  const photo = createRGBA(LW, LH);
  const lines = new Uint8Array(LW * LH), hole = new Uint8Array(LW * LH);
  for (let y = 0; y < LH; y++) for (let x = 0; x < LW; x++) {
    const i = y * LW + x;
    if (x % 50 < 2 && y > 20 && y < LH - 20) lines[i] = 1;
    if (x >= 1008 && x < 1044 && y >= 600 && y < 640) hole[i] = 1;
    photo.data.fill(lines[i] || hole[i] ? 0 : 200, 4 * i, 4 * i + 3);
    photo.data[4 * i + 3] = 255;
  }
  const mask = lines.map((v, i) => v | hole[i]);
  const grey = () => {
    const seen: number[] = [];
    const runner = {
      entry: { preferredTile: 512, tileOverlap: 16, sizeMultiple: 8 },
      run: async (t: { width: number; height: number }) => {
        seen.push(t.width * t.height);
        return { ...createPlanar(t.width, t.height, 3), data: new Float32Array(3 * t.width * t.height).fill(0.5) };
      },
    } as unknown as ModelRunner;
    return { runner, pixels: () => seen.reduce((a, b) => a + b, 0) };
  };

  it('fills thin damage on the photo as the detector sees it, holes at full resolution, nothing else', async () => {
    expect(fillCrops(mask, LW, LH).reduce((a, c) => a + (c.x1 - c.x0) * (c.y1 - c.y0), 0)).toBeGreaterThan(FILL_VIEWS_BUDGET);
    const thin = thinGroups(mask, LW, LH, 3 * COARSE_THIN_DEPTH);
    expect(thin.reduce((a, v) => a + v, 0)).toBe(lines.reduce((a, v) => a + v, 0));
    const full = grey(), coarse = grey();
    const asPainted = await fillMasked(photo, mask, full.runner);
    const out = await fillMasked(photo, mask, coarse.runner, { coarseThin: true });
    // a pass over the whole photo at full resolution, against four views of the shrunk one plus the hole's crop
    expect(full.pixels()).toBeGreaterThan(LW * LH);
    expect(coarse.pixels()).toBeLessThan(0.6 * full.pixels());
    for (let i = 0; i < LW * LH; i++) {
      if (!mask[i]) {
        if (out.data[4 * i] !== 200 || asPainted.data[4 * i] !== 200) throw new Error(`unmasked pixel ${i} changed`);
      } else if (hole[i]) {
        expect(out.data[4 * i]).toBe(128);
      } else if (out.data[4 * i] < 128 || out.data[4 * i] > 200) {
        throw new Error(`line pixel ${i} filled with ${out.data[4 * i]}`);
      }
    }
  });
});

describe('detector views', () => {
  // A stand-in detector whose "probabilities" are the tile's red and green: a per-pixel function,
  // so every mirrored view, put back where it belongs, must give the same maps as one plain view.
  const perPixel = {
    entry: { preferredTile: 32, tileOverlap: 8, sizeMultiple: 4 },
    run: async (t: { width: number; height: number; data: Float32Array }) => {
      const out = createPlanar(t.width, t.height, 2);
      out.data.set(t.data.subarray(0, 2 * t.width * t.height));
      return out;
    },
  } as unknown as ModelRunner;
  const photo = image((x, y, c) => (c === 0 ? (x * 7 + y) % 256 : c === 1 ? (y * 5 + x * x) % 256 : 0));

  it('averages the mirrored views unmirrored: each pixel lands where it came from', async () => {
    const one = await damageProbabilities(photo, perPixel, {}, 1);
    const four = await damageProbabilities(photo, perPixel, {}, 4);
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        worst = Math.max(worst, Math.abs(one.data[i] - ((x * 7 + y) % 256) / 255), Math.abs(one.data[W * H + i] - ((y * 5 + x * x) % 256) / 255));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    for (let i = 0; i < one.data.length; i++) worst = Math.max(worst, Math.abs(four.data[i] - one.data[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('reports progress over all views', async () => {
    const seen: [number, number][] = [];
    await damageProbabilities(photo, perPixel, { onTile: (d, t) => seen.push([d, t]) }, 4);
    const total = seen[0][1];
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.map(([d]) => d)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
  });
});

describe('detector hysteresis', () => {
  // Defect probability = red / 255, missing = green / 255 (0 here). Two groups of doubtful damage at
  // 0.5: a line with one confident pixel (0.9) and a lone speck with none.
  const photo = image((x, y, c) => {
    if (c !== 0) return 0;
    if (y === 10 && x >= 5 && x < 40) return x === 20 ? 230 : 128;
    if (y >= 40 && y < 43 && x >= 60 && x < 63) return 128;
    return 0;
  });
  const runner = (seedThreshold?: number) => ({
    entry: { preferredTile: 32, tileOverlap: 8, sizeMultiple: 4, threshold: 0.4, seedThreshold },
    run: async (t: { width: number; height: number; data: Float32Array }) => {
      const out = createPlanar(t.width, t.height, 2);
      out.data.set(t.data.subarray(0, t.width * t.height));
      return out;
    },
  }) as unknown as ModelRunner;
  const sum = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

  it('keeps a doubtful group that holds a confident pixel, whole, and drops one that holds none', async () => {
    const found = await detectDamage(photo, runner(0.75));
    expect(sum(found.defect)).toBe(35);
    expect(found.defect[10 * W + 5]).toBe(1);
    expect(found.defect[41 * W + 61]).toBe(0);
    expect(found.confidence[41 * W + 61]).toBe(0);
  });

  it('without a seed threshold every pixel over the threshold counts, as before', async () => {
    const found = await detectDamage(photo, runner(undefined));
    expect(sum(found.defect)).toBe(35 + 9);
  });
});

describe('found damage in the review', () => {
  function foundLayers() {
    const { img, defect, missing } = damagedPhoto();
    const map = damageMap(defect, missing, new Float32Array(W * H).fill(0.95));
    const filled = image((x, y, c) => (defect[y * W + x] || missing[y * W + x] ? photo.data[(y * W + x) * 4 + c] : img.data[(y * W + x) * 4 + c]));
    const stages: ReviewedStage[] = [{ stage: 'fill', image: filled, changeMap: map, control: 'mask' }];
    return { img, filled, stages, regions: runRegions(stages, W, H), layers: reviewLayers(img, stages) };
  }

  it('gives one region per connected group of each class, with its confidence; missing areas are invented', () => {
    const { regions } = foundLayers();
    expect(regions.map((r) => [r.damageClass, r.pixels, r.invented, !!r.needsConfirm])).toEqual([
      ['missing', 400, true, true],
      ['defect', 65, false, false],
    ]);
    for (const r of regions) expect(r.confidence).toBeCloseTo(0.95, 2);
  });

  it('on a photo the detector is unsure about, found defects are suggestions that change nothing until kept', () => {
    const { img, defect, missing } = damagedPhoto();
    const map = damageMap(defect, missing, new Float32Array(W * H).fill(0.7));
    const filled = image((x, y, c) => (map[y * W + x] ? 9 : img.data[(y * W + x) * 4 + c]));
    const stages: ReviewedStage[] = [{ stage: 'fill', image: filled, changeMap: map, control: 'mask' }];
    const regions = runRegions(stages, W, H);
    expect(regions.length).toBeGreaterThan(0);
    expect(regions.every((r) => r.needsConfirm && r.unsure)).toBe(true);
    const layers = reviewLayers(img, stages);
    expect(Buffer.from(composeReview(img, layers, regions, emptyDecisions()).data).equals(Buffer.from(img.data))).toBe(true);
    const line = regions.find((r) => r.damageClass === 'defect')!;
    expect(pixel(composeReview(img, layers, regions, decideRegion(emptyDecisions(), line.id, 'accepted')), 20, 10)).toEqual(pixel(filled, 20, 10));
  });

  it('keeps thin defects filled at once; a missing area stays as it was until the user confirms it', () => {
    const { img, filled, regions, layers } = foundLayers();
    const hole = regions.find((r) => r.damageClass === 'missing')!;
    let d = emptyDecisions();
    expect(isAccepted(d, hole)).toBe(false);
    let out = composeReview(img, layers, regions, d);
    expect(pixel(out, 20, 10)).toEqual(pixel(filled, 20, 10));
    expect(pixel(out, 50, 40)).toEqual(pixel(img, 50, 40));
    d = decideRegion(d, hole.id, 'accepted');
    out = composeReview(img, layers, regions, d);
    expect(pixel(out, 50, 40)).toEqual(pixel(filled, 50, 40));
    // "Keep all" for the stage does not confirm invented content on the user's behalf.
    expect(isAccepted(decideStage(emptyDecisions(), 'fill', true, regions), hole)).toBe(false);
  });

  it('a found region edited with the brush is replaced: its old fill goes, the new mask is filled', () => {
    const { img, filled, regions, layers } = foundLayers();
    const line = regions.find((r) => r.damageClass === 'defect')!;
    // The user erases the right half of the line (not damage, say) and refills the rest.
    const mask = new Uint8Array(W * H);
    for (let x = 5; x < 40; x++) mask[10 * W + x] = 1;
    const [edited] = damageRegions('fill', mask, W, H, 'marked-1');
    const refill = image(() => 7);
    const d = withMarked(emptyDecisions(), [{ region: edited, patch: { regionId: edited.id, stage: 'fill', rect: edited.rect, pixels: cutRect(refill, 0, 0, edited.rect) } }], line.id);
    expect(d.regions[line.id]).toBe('rejected');
    const out = composeReview(img, layers, [...regions, ...d.marked], d);
    expect(pixel(out, 20, 10)).toEqual([7, 7, 7]);
    expect(pixel(out, 60, 10)).toEqual(pixel(img, 60, 10));
    expect(pixel(out, 60, 11)).toEqual(pixel(filled, 60, 11));
  });
});
