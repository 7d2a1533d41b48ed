import { describe, expect, it } from 'vitest';
import { createRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { changeMap } from '../../src/engine/pipeline/change-map.ts';
import {
  composeReview,
  damageRegions,
  decideRegion,
  emptyDecisions,
  reviewLayers,
  runRegions,
  withMarked,
  type ReviewedStage,
} from '../../src/engine/review/index.ts';
import { RestorationService } from '../../src/engine/service/restoration-service.ts';

const W = 48, H = 32;

function image(fn: (x: number, y: number, c: number) => number): RGBAImage {
  const img = createRGBA(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) img.data[(y * W + x) * 4 + c] = c === 3 ? 255 : fn(x, y, c);
  return img;
}

const original = image((x, y, c) => (x * 5 + y * 3 + c * 50) % 256);
const after = image((x, y, c) => Math.min(255, original.data[(y * W + x) * 4 + c] + (x < 16 && y < 16 ? 40 : 0)));
const stages: ReviewedStage[] = [{ stage: 'a', image: after, changeMap: changeMap(original, after), control: 'strength' }];
const specs = stages.map(({ image: _i, changeMap: _c, ...s }) => s);
const regions = runRegions(stages, W, H);

// The service's own pixel work is all the review needs here: no runtime, models or stages.
const service = () => new RestorationService({} as never, {} as never, {} as never);

describe('the review composed from held layers (the worker side)', () => {
  it('gives what composeReview gives, and the share it changes', () => {
    const s = service();
    s.holdReview('k', { original, images: [after], regions });
    const d = decideRegion(emptyDecisions(), regions[0].id, 'rejected');
    const { image, changed } = s.composeReview('k', specs, d);
    expect(image.data).toEqual(composeReview(original, reviewLayers(original, stages), regions, d).data);
    expect(changed).toBe(0);
    expect(s.composeReview('k', specs, emptyDecisions()).changed).toBeCloseTo((16 * 16) / (W * H), 5);
  });

  it('adds the marking layer when damage was marked, and takes the regions after the layers', () => {
    const s = service();
    s.holdReview('k', { original, images: [after] });
    expect(() => s.composeReview('k', specs, emptyDecisions())).toThrow(/No layers/);
    s.holdReview('k', { regions });
    const mask = new Uint8Array(W * H);
    for (let y = 20; y < 24; y++) for (let x = 30; x < 40; x++) mask[y * W + x] = 1;
    const [region] = damageRegions('fill', mask, W, H, 'marked');
    const pixels = new Uint8ClampedArray((region.rect.x1 - region.rect.x0) * (region.rect.y1 - region.rect.y0) * 4).fill(7);
    const d = withMarked(emptyDecisions(), [{ region, patch: { regionId: region.id, stage: 'fill', rect: region.rect, pixels } }]);
    const held = s.composeReview('k', specs, d, 'fill').image;
    const direct = composeReview(original, reviewLayers(original, stages, 'fill'), [...regions, region], d);
    expect(held.data).toEqual(direct.data);
    expect(held.data[(21 * W + 31) * 4]).toBe(7);
  });

  it('refuses a review whose layers it does not hold', () => {
    const s = service();
    expect(() => s.holdReview('k', { regions })).toThrow(/No layers/);
    s.holdReview('k', { original, images: [after], regions });
    expect(() => s.composeReview('other', specs, emptyDecisions())).toThrow(/No layers/);
  });
});
