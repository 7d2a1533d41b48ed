import { describe, expect, it } from 'vitest';
import { createRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { changeMap } from '../../src/engine/pipeline/change-map.ts';
import {
  changeRegions,
  composeReview,
  cutRect,
  damageRegions,
  decideRegion,
  decideStage,
  emptyDecisions,
  history,
  inRegion,
  regionOutlinePath,
  reviewLayers,
  runRegions,
  withMarked,
  withPatch,
  type ReviewedStage,
} from '../../src/engine/review/index.ts';

const W = 64, H = 48;

function image(fn: (x: number, y: number, c: number) => number): RGBAImage {
  const img = createRGBA(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) img.data[(y * W + x) * 4 + c] = c === 3 ? 255 : fn(x, y, c);
  return img;
}

const original = image((x, y, c) => (x * 3 + y * 2 + c * 40) % 256);
// Stage A changes two blocks a lot and the rest a little; stage B brightens everything by 3.
const afterA = image((x, y, c) => {
  const v = original.data[(y * W + x) * 4 + c];
  const strong = (x < 16 && y < 16) || (x >= 32 && x < 64 && y >= 32);
  return Math.min(255, v + (strong ? 30 : 1));
});
const afterB = image((x, y, c) => Math.min(255, afterA.data[(y * W + x) * 4 + c] + 3));

function stages(): ReviewedStage[] {
  return [
    { stage: 'a', image: afterA, changeMap: changeMap(original, afterA), control: 'strength' },
    { stage: 'b', image: afterB, changeMap: changeMap(afterA, afterB), control: 'strength' },
  ];
}

const pixel = (img: RGBAImage, x: number, y: number) => Array.from(img.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 4));

describe('review regions', () => {
  it('finds where a stage changed most, on 16-pixel blocks, biggest first', () => {
    const regions = changeRegions('a', changeMap(original, afterA), W, H);
    expect(regions.map((r) => r.rect)).toEqual([
      { x0: 32, y0: 32, x1: 64, y1: 48 },
      { x0: 0, y0: 0, x1: 16, y1: 16 },
    ]);
    expect(regions[0].pixels).toBe(32 * 16);
    expect(regions[0].meanChange).toBeCloseTo(30, 0);
    expect(inRegion(regions[1], 5, 5)).toBe(true);
    expect(inRegion(regions[1], 20, 5)).toBe(false);
  });

  it('outlines follow the cells of a region, not its bounding box', () => {
    const r = { ...changeRegions('a', changeMap(original, afterA), W, H)[1] };
    expect(regionOutlinePath(r)).toBe('M0 0H16M0 16H16M0 0V16M16 0V16');
    // An L of three cells: six outer edges merged into runs.
    const l = { ...r, rect: { x0: 0, y0: 0, x1: 32, y1: 32 }, mask: Uint8Array.of(1, 0, 1, 1) };
    expect(regionOutlinePath(l)).toBe('M0 0H16M16 16H32M0 32H32M0 0V32M16 0V16M32 16V32');
  });

  it('a uniform change gives no regions, and an unchanged photo none either', () => {
    expect(changeRegions('b', changeMap(afterA, afterB), W, H)).toEqual([]);
    expect(changeRegions('a', new Uint8Array(W * H), W, H)).toEqual([]);
  });

  it('damage regions keep the exact pixels of each group and flag large ones as invented', () => {
    const mask = new Uint8Array(W * H);
    for (let x = 2; x < 40; x++) mask[10 * W + x] = 1; // a thin scratch
    for (let y = 20; y < 48; y++) for (let x = 30; x < 60; x++) mask[y * W + x] = 1; // a hole
    const regions = damageRegions('fill', mask, W, H, 'run');
    expect(regions).toHaveLength(2);
    const [hole, scratch] = regions;
    expect(hole.invented).toBe(true);
    expect(scratch.invented).toBe(false);
    expect(scratch.pixels).toBe(38);
    expect(inRegion(scratch, 3, 10)).toBe(true);
    expect(inRegion(scratch, 3, 11)).toBe(false);
  });
});

describe('composeReview', () => {
  const layers = reviewLayers(original, stages());
  const regions = runRegions(stages(), W, H);

  it('with everything accepted it is exactly the last stage output', () => {
    expect(composeReview(original, layers, regions, emptyDecisions()).data).toEqual(afterB.data);
  });

  it('a rejected region loses that stage only; other pixels are untouched', () => {
    const d = decideRegion(emptyDecisions(), regions[1].id, 'rejected');
    const out = composeReview(original, layers, regions, d);
    // Inside: the original plus stage b's +3.
    expect(pixel(out, 5, 5)).toEqual(pixel(original, 5, 5).map((v, c) => (c === 3 ? 255 : v + 3)));
    expect(pixel(out, 40, 40)).toEqual(pixel(afterB, 40, 40));
    expect(pixel(out, 20, 20)).toEqual(pixel(afterB, 20, 20));
  });

  it('rejecting both stages there gives the original pixels exactly; stage decisions apply everywhere', () => {
    const oneStage = reviewLayers(original, stages().slice(0, 1));
    const d = decideRegion(emptyDecisions(), regions[0].id, 'rejected');
    const out = composeReview(original, oneStage, regions, d);
    for (let y = 32; y < 48; y++) for (let x = 32; x < 64; x++) expect(pixel(out, x, y)).toEqual(pixel(original, x, y));
    expect(pixel(out, 5, 5)).toEqual(pixel(afterA, 5, 5));

    const none = decideStage(decideStage(emptyDecisions(), 'a', false, regions), 'b', false, regions);
    expect(composeReview(original, layers, regions, none).data).toEqual(original.data);
    // Accepting a stage again resets its regions to follow it.
    const back = decideStage(decideRegion(none, regions[0].id, 'rejected'), 'a', true, regions);
    expect(back.regions[regions[0].id]).toBeUndefined();
  });

  it('a redone region takes its patch inside the region only', () => {
    const r = regions[1]; // the top-left block of stage a
    const crop = image(() => 77);
    const patch = { regionId: r.id, stage: 'a', rect: r.rect, pixels: cutRect(crop, 0, 0, r.rect), strength: 0.5 };
    const out = composeReview(original, layers, regions, withPatch(emptyDecisions(), patch));
    expect(pixel(out, 3, 3)).toEqual([80, 80, 80, 255]); // 77 + stage b's 3
    expect(pixel(out, 20, 3)).toEqual(pixel(afterB, 20, 3));
  });

  it('marked damage is filled from its patch and takes the later stages\' change made around it', () => {
    const mask = new Uint8Array(W * H);
    for (let x = 40; x < 50; x++) mask[5 * W + x] = 1;
    const [region] = damageRegions('fill', mask, W, H, 'marked-1');
    const filled = image(() => 100);
    const patch = { regionId: region.id, stage: 'fill', rect: region.rect, pixels: cutRect(filled, 0, 0, region.rect) };
    const d = withMarked(emptyDecisions(), [{ region, patch }]);
    const withFill = reviewLayers(original, stages(), 'fill');
    expect(withFill.map((l) => l.stage)).toEqual(['fill', 'a', 'b']);
    const all = runRegions(stages(), W, H, d.marked);
    const out = composeReview(original, withFill, all, d);
    // The later stages never saw the fill: it gets the change they made just above and below it.
    const around = [0, 1, 2].map((c) => (pixel(afterB, 45, 4)[c] - pixel(original, 45, 4)[c] + pixel(afterB, 45, 6)[c] - pixel(original, 45, 6)[c]) / 2);
    expect(around.some((v) => v !== 0)).toBe(true);
    expect(pixel(out, 45, 5)).toEqual([...around.map((v) => Math.round(100 + v)), 255]);
    expect(pixel(out, 45, 6)).toEqual(pixel(afterB, 45, 6));
    // Rejecting the fill brings the damaged pixel (with the later stages' change) back.
    const rejected = composeReview(original, withFill, all, decideRegion(d, region.id, 'rejected'));
    expect(pixel(rejected, 45, 5)).toEqual(pixel(afterB, 45, 5));
    // Redoing it with an edited mask replaces the region.
    const [smaller] = damageRegions('fill', mask.map((v, i) => (i % W < 45 ? v : 0)), W, H, 'marked-2');
    const d2 = withMarked(d, [{ region: smaller, patch: { ...patch, regionId: smaller.id, rect: smaller.rect, pixels: cutRect(filled, 0, 0, smaller.rect) } }], region.id);
    expect(d2.marked.map((r) => r.id)).toEqual([smaller.id]);
    expect(d2.patches).toHaveLength(1);
    const out2 = composeReview(original, withFill, runRegions(stages(), W, H, d2.marked), d2);
    expect(pixel(out2, 42, 5)).toEqual([...around.map((v) => Math.round(100 + v)), 255]);
    expect(pixel(out2, 47, 5)).toEqual(pixel(afterB, 47, 5));
  });
});

describe('history', () => {
  it('undoes and redoes snapshots; a new change clears the redo list', () => {
    let h = history.start(1);
    h = history.push(h, 2);
    h = history.push(h, 3);
    h = history.undo(h);
    expect(h.present).toBe(2);
    h = history.redo(h);
    expect(h.present).toBe(3);
    h = history.undo(history.undo(h));
    expect(h.present).toBe(1);
    expect(history.undo(h)).toBe(h);
    h = history.push(h, 9);
    expect(h.future).toEqual([]);
    expect(history.redo(h)).toBe(h);
  });
});
