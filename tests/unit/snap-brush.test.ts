import { describe, expect, it } from 'vitest';
import { MAX_SNAP_RADIUS, MIN_SNAP_RADIUS, SNAP_PROBABILITY, maskBounds, probabilityNearStroke, snapRadius, snapToDamage } from '../../src/engine/damage/snap.ts';
import { ModelRegistry } from '../../src/engine/models/registry.ts';
import { nodeModelStore } from '../../src/engine/models/node-store.ts';
import { NodeRuntime } from '../../src/engine/runtime/node-backend.ts';
import { RestorationService } from '../../src/engine/service/restoration-service.ts';
import { stageRegistry } from '../../src/stages/index.ts';
import { MODELS_DIR } from '../helpers/models.ts';

const W = 160, H = 120;
const A = [10, 90], B = [150, 30];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

/** Distance of (x, y) from the segment A-B. */
function lineDistance(x: number, y: number) {
  const dx = B[0] - A[0], dy = B[1] - A[1];
  const t = Math.max(0, Math.min(1, ((x - A[0]) * dx + (y - A[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (A[0] + t * dx), y - (A[1] + t * dy));
}

/** A textured gradient with light noise and a 3 px line of `lineLevel` (soft edge) along A-B; `coverage` is the line's per pixel. */
function crackedPhoto(lineLevel: number | null, seed = 3) {
  const rand = rng(seed);
  const data = new Uint8ClampedArray(W * H * 4);
  const coverage = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const n = () => (rand() + rand() + rand() - 1.5) * 3;
      const base = [70 + (90 * x) / W + 12 * Math.sin(x / 7) * Math.cos(y / 9) + n(), 60 + (80 * y) / H + 10 * Math.sin((x + y) / 11) + n(), 50 + 40 * Math.sin(x / 13) + n()];
      const a = lineLevel === null ? 0 : Math.max(0, Math.min(1, 2 - lineDistance(x, y)));
      coverage[y * W + x] = a;
      for (let c = 0; c < 3; c++) data[p + c] = base[c] * (1 - a) + (lineLevel ?? 0) * a;
      data[p + 3] = 255;
    }
  }
  return { img: { width: W, height: H, data }, coverage };
}

/** A brush stroke along the line, `width` px wide. */
function strokeAlong(width: number) {
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (lineDistance(x, y) <= width / 2) m[y * W + x] = 1;
  return m;
}

/** The line's pixels grown by one (3x3): all the snapped mask may hold. */
function lineGrown(coverage: Float32Array) {
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!coverage[y * W + x]) continue;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && y + dy >= 0 && x + dx < W && y + dy < H) out[(y + dy) * W + x + dx] = 1;
    }
  }
  return out;
}

function check(mask: Uint8Array, stroke: Uint8Array, coverage: Float32Array) {
  const allowed = lineGrown(coverage);
  let missed = 0, outside = 0, beyond = 0;
  for (let i = 0; i < mask.length; i++) {
    if (stroke[i] && coverage[i] >= 0.5 && !mask[i]) missed++;
    if (mask[i] && !stroke[i]) outside++;
    if (mask[i] && !allowed[i]) beyond++;
  }
  return { missed, outside, beyond };
}

describe('snapping brush', () => {
  it('marks a bright crack under a stroke three times its width, and nothing else', () => {
    const { img, coverage } = crackedPhoto(240);
    const stroke = strokeAlong(9);
    const mask = snapToDamage(img, stroke, { radius: snapRadius(9) });
    expect(check(mask, stroke, coverage)).toEqual({ missed: 0, outside: 0, beyond: 0 });
    // Far less than the stroke: the untouched sides stay the photo's.
    const marked = mask.reduce((n, v) => n + v, 0), brushed = stroke.reduce((n, v) => n + v, 0);
    expect(marked).toBeLessThan(0.75 * brushed);
  });

  it('marks a dark crack too', () => {
    const { img, coverage } = crackedPhoto(10);
    const stroke = strokeAlong(9);
    expect(check(snapToDamage(img, stroke, { radius: snapRadius(9) }), stroke, coverage)).toEqual({ missed: 0, outside: 0, beyond: 0 });
  });

  it('marks nothing under a stroke over clean texture', () => {
    const { img } = crackedPhoto(null);
    const mask = snapToDamage(img, strokeAlong(9), { radius: snapRadius(9) });
    expect(mask.reduce((n, v) => n + v, 0)).toBe(0);
  });

  it('takes what the detector finds at its low threshold where the contrast is too faint', () => {
    // A line only a few levels off the background: the contrast test misses it.
    const { img, coverage } = crackedPhoto(null);
    const faint = { ...img, data: img.data.slice() };
    for (let i = 0; i < W * H; i++) if (coverage[i] === 0 && lineDistance(i % W, Math.floor(i / W)) < 1.5) for (let c = 0; c < 3; c++) faint.data[i * 4 + c] += 4;
    const stroke = strokeAlong(9);
    expect(snapToDamage(faint, stroke, { radius: snapRadius(9) }).reduce((n, v) => n + v, 0)).toBe(0);
    const line = new Float32Array(W * H).map((_, i) => (lineDistance(i % W, Math.floor(i / W)) < 1.5 ? 0.3 : 0.1));
    expect(0.3).toBeGreaterThanOrEqual(SNAP_PROBABILITY);
    const mask = snapToDamage(faint, stroke, { radius: snapRadius(9), probability: line });
    for (let i = 0; i < mask.length; i++) {
      const d = lineDistance(i % W, Math.floor(i / W));
      if (d < 1) expect(mask[i]).toBe(1);
      // The line grown by a pixel at most (a diagonal neighbour is 1.42 px away).
      if (d > 1.5 + Math.SQRT2) expect(mask[i]).toBe(0);
    }
  });

  it('never marks past the stroke, even where the crack goes on', () => {
    const { img, coverage } = crackedPhoto(240);
    // Only the middle third of the crack is brushed.
    const stroke = strokeAlong(9).map((v, i) => (v && i % W >= 55 && i % W < 105 ? 1 : 0));
    const mask = snapToDamage(img, stroke, { radius: snapRadius(9) });
    expect(check(mask, stroke, coverage)).toEqual({ missed: 0, outside: 0, beyond: 0 });
    expect(maskBounds(mask, W, H)!.x0).toBeGreaterThanOrEqual(55);
    expect(maskBounds(mask, W, H)!.x1).toBeLessThanOrEqual(105);
  });

  it('returns an empty mask for an empty stroke; the window follows the brush within bounds', () => {
    const { img } = crackedPhoto(240);
    expect(snapToDamage(img, new Uint8Array(W * H), { radius: 5 }).some(Boolean)).toBe(false);
    expect(maskBounds(new Uint8Array(10), 5, 2)).toBeUndefined();
    expect([snapRadius(1), snapRadius(9), snapRadius(500)]).toEqual([MIN_SNAP_RADIUS, 9, MAX_SNAP_RADIUS]);
  });
});

describe('detector blocks', () => {
  it('probes only the blocks the stroke crosses, each with context, and keeps each block\'s own pixels', async () => {
    const { img } = crackedPhoto(240);
    const stroke = new Uint8Array(W * H);
    stroke[10 * W + 10] = 1; // block (0, 0)
    stroke[100 * W + 150] = 1; // block (2, 2)
    const tiles: number[][] = [];
    // The probe answers each tile pixel with its red level / 255, so a misplaced copy shows.
    const plane = await probabilityNearStroke(img, stroke, async (tile) => {
      tiles.push([tile.width, tile.height]);
      return new Float32Array(tile.width * tile.height).map((_, i) => tile.data[i * 4] / 255);
    }, 64, 8);
    expect(tiles).toEqual([[72, 72], [40, 64]]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inBlock = (x < 64 && y < 64) || (x >= 128 && y >= 64);
        expect(plane[y * W + x]).toBeCloseTo(inBlock ? img.data[(y * W + x) * 4] / 255 : 0, 5);
      }
    }
  });
});

describe('snapping in the service', () => {
  it('runs the detector on the crop where it ships, and the contrast alone where it cannot load', async () => {
    const registry = new ModelRegistry(nodeModelStore(MODELS_DIR));
    const runtime = await NodeRuntime.create(registry, 'wasm', undefined, 1);
    const { img, coverage } = crackedPhoto(240);
    const stroke = strokeAlong(9);
    const found = await new RestorationService(runtime, registry, stageRegistry).snapStroke(img, stroke, snapRadius(9));
    expect(found.detector).toBe(true);
    expect(check(found.mask, stroke, coverage)).toEqual({ missed: 0, outside: 0, beyond: 0 });
    const missing = new RestorationService(runtime, registry, stageRegistry, { modelOverrides: { detect: 'no-such-detector' } });
    const byContrast = await missing.snapStroke(img, stroke, snapRadius(9));
    expect(byContrast.detector).toBe(false);
    expect(check(byContrast.mask, stroke, coverage)).toEqual({ missed: 0, outside: 0, beyond: 0 });
  }, 60_000);
});
