import { applyColourCorrection, computeColourCorrection, scaleCorrection } from '../../engine/classical/colour.ts';
import { cloneRGBA, createPlanar, thumbnailPlanar } from '../../engine/image.ts';
import { applyCurves, predictCurves } from '../../engine/colour/model-correction.ts';
import type { StageImpl } from '../../engine/pipeline/stage.ts';
import { meta } from './meta.ts';

/** Statistics come from a thumbnail: fading is a global property, and this keeps 24 MP photos cheap. */
const STATS_SIDE = 512;

export const stage: StageImpl = {
  meta,
  async run(input, options, ctx) {
    const runner = await ctx.runner('colour');
    if (runner) {
      const image = applyCurves(input, await predictCurves(input, runner), options.strength, (d, t) => ctx.progress(d, t));
      return { image, method: 'model', model: { id: runner.entry.id, version: runner.entry.version } };
    }
    // Without the model: automatic levels and white balance.
    const correction = scaleCorrection(computeColourCorrection(thumbnailPlanar(input, STATS_SIDE)), options.strength);
    // The correction is pointwise per channel and the photo is 8-bit, so a 256-entry table
    // per channel gives exactly what applying it to every pixel would, at a fraction of the cost.
    const ramp = createPlanar(256, 1, 3);
    for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) ramp.data[c * 256 + v] = v / 255;
    const lut = new Uint8ClampedArray(applyColourCorrection(ramp, correction).data.map((v) => v * 255));
    const image = cloneRGBA(input);
    const d = image.data;
    const rows = Math.max(1, Math.floor(1_000_000 / input.width));
    for (let y = 0; y < input.height; y += rows) {
      const end = Math.min(input.height, y + rows) * input.width * 4;
      for (let p = y * input.width * 4; p < end; p += 4) {
        d[p] = lut[d[p]];
        d[p + 1] = lut[256 + d[p + 1]];
        d[p + 2] = lut[512 + d[p + 2]];
      }
      ctx.progress(Math.min(input.height, y + rows), input.height);
    }
    return { image, method: 'classical' };
  },
};
