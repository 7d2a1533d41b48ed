import { describe, expect, it } from 'vitest';
import { createPlanar, createRGBA, type PlanarImage, type RGBAImage } from '../../src/engine/image.ts';
import { FOLLOW_MIN_PROBABILITY, FOLLOW_WINDOW, blockMedianLevel, followCracks } from '../../src/engine/damage/follow-cracks.ts';
import { whiteTopHat } from '../../src/engine/classical/tophat-damage.ts';
import { classifyDamage, detectDamage } from '../../src/engine/damage/detect.ts';
import type { ModelRunner } from '../../src/engine/runtime/model-runner.ts';
import type { StageContext } from '../../src/engine/pipeline/stage.ts';
import { stage as fillStage } from '../../src/stages/fill/worker.ts';

const W = 200, H = 120;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

/**
 * A flat grey print (light noise) with a textured right part (x 133 on, whole blocks of the texture level: strong random texture, like
 * knitwear, up to the crack's own brightness), crossed by a 2 px bright crack along row 30 (x 0-199) and a separate 2 px bright line
 * along row 90 (x 20-100) that touches no crack.
 */
function print(): { img: RGBAImage; crack: Uint8Array; other: Uint8Array; texture: Uint8Array } {
  const rand = rng(7);
  const img = createRGBA(W, H);
  const crack = new Uint8Array(W * H), other = new Uint8Array(W * H), texture = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      texture[i] = x >= 133 ? 1 : 0;
      let v = texture[i] ? 10 + rand() * 160 : 90 + (rand() - 0.5) * 4;
      if (y === 30 || y === 31) {
        crack[i] = 1;
        v = 170;
      } else if ((y === 90 || y === 91) && x >= 20 && x < 100) {
        other[i] = 1;
        v = 170;
      }
      img.data.set([v, v, v, 255], 4 * i);
    }
  }
  return { img, crack, other, texture };
}

/**
 * Detector planes: the crack's first 60 px (and 8 specks, so the photo counts as surely damaged)
 * at 0.97, the rest of both lines at 0.01 (doubtful, as the detector rates a real crack's faint
 * stretches), except the crack's x 100-103, which it is certain is clean (0).
 */
function planes(crack: Uint8Array, other: Uint8Array): PlanarImage {
  const p = createPlanar(W, H, 2);
  for (let i = 0; i < W * H; i++) {
    const x = i % W;
    if (crack[i]) p.data[i] = x < 60 ? 0.97 : x >= 100 && x < 104 ? 0 : 0.01;
    else if (other[i]) p.data[i] = 0.01;
    else p.data[i] = 0.001;
  }
  for (let k = 0; k < 8; k++) p.data[(60 + 3 * k) * W + 10 + 5 * k] = 0.97; // between the lines, left of the texture
  return p;
}

const count = (m: Uint8Array, where?: (i: number) => boolean) => m.reduce((n, v, i) => n + (v && (!where || where(i)) ? 1 : 0), 0);

describe('following cracks further', () => {
  it('grows the found stretch of a crack along the rest of it, up to where the detector is certain it is clean', () => {
    const { img, crack, other, texture } = print();
    const p = planes(crack, other);
    const found = classifyDamage(p, 0.5);
    const { added, confidence } = followCracks(img, p, found);
    const onCrack = (x0: number, x1: number) => (i: number) => crack[i] === 1 && i % W >= x0 && i % W < x1;
    expect(count(added, onCrack(60, 100))).toBe(2 * 40); // the doubtful stretch up to the certain gap
    expect(count(added, onCrack(100, 104))).toBe(0); // the detector's nil stops it
    expect(count(added, onCrack(104, W))).toBe(0); // past the gap there is nothing to continue
    expect(count(added, (i) => other[i] === 1)).toBe(0); // a bright line touching no found damage stays
    expect(count(added, (i) => !crack[i])).toBe(0); // flat grey and texture are never added
    expect(count(added, (i) => texture[i] === 1)).toBe(0);
    for (let i = 0; i < added.length; i++) if (added[i]) expect(confidence[i]).toBeCloseTo(0.97, 5);
    expect(count(found.defect.map((v, i) => v & added[i]))).toBe(0); // only new pixels
  });

  it('does not carry the growth through busy texture, even where the detector has doubts', () => {
    const { img, crack, other, texture } = print();
    const p = planes(crack, other);
    for (let i = 0; i < W * H; i++) if (crack[i] && i % W >= 100 && i % W < 104) p.data[i] = 0.01; // no certain gap
    const { added } = followCracks(img, p, classifyDamage(p, 0.5));
    expect(count(added, (i) => crack[i] === 1 && i % W >= 60 && i % W < 120)).toBe(2 * 60); // (the texture level rises from the centre of the block before it)
    // in the texture the crack stands out less than 3x the texture's own top-hat, so growth stops there
    expect(count(added, (i) => crack[i] === 1 && texture[i] === 1)).toBeLessThan(2 * 67 * 0.25);
  });

  it('adds nothing where the detector is not sure the photo is damaged', () => {
    const { img, crack, other } = print();
    const p = planes(crack, other);
    for (let i = 0; i < W * H; i++) if (p.data[i] > 0.5 && (i % W >= 8 || Math.floor(i / W) !== 30)) p.data[i] = 0.01; // one small confident group left
    const found = classifyDamage(p, 0.5);
    expect(count(found.defect)).toBeGreaterThan(0);
    const { added, sure } = followCracks(img, p, found);
    expect([count(added), sure]).toEqual([0, false]);
  });

  it('respects the detector: no growth below FOLLOW_MIN_PROBABILITY', () => {
    const { img, crack, other } = print();
    const p = planes(crack, other);
    for (let i = 0; i < W * H; i++) if (p.data[i] < 0.5) p.data[i] = FOLLOW_MIN_PROBABILITY / 2;
    expect(count(followCracks(img, p, classifyDamage(p, 0.5)).added)).toBe(0);
  });

  it('measures the top-hat and the texture level it compares with', () => {
    const { img } = print();
    const hat = whiteTopHat(img, FOLLOW_WINDOW);
    expect(hat[30 * W + 40]).toBeGreaterThan(70); // the 2 px crack, 80 levels over the grey
    expect(hat[60 * W + 40]).toBeLessThan(5); // flat grey
    const flat = new Float32Array(64 * 64).fill(3);
    expect(Array.from(blockMedianLevel(flat, 64, 64)).every((v) => Math.abs(v - 3) < 1e-6)).toBe(true);
    // two 32 px blocks side by side, medians 0 and 10: constant within half a block of each edge, linear between the centres
    const two = new Float32Array(64 * 32).map((_, i) => (i % 64 < 32 ? 0 : 10));
    const level = blockMedianLevel(two, 64, 32);
    expect(level[5]).toBe(0);
    expect(level[60]).toBe(10);
    expect(level[32]).toBeCloseTo(5 + 10 / 64, 5);
  });
});

describe('the detector asked to follow cracks', () => {
  it('adds the followed pixels to the defects only when asked, at the photo scale on a shrunk scan too', async () => {
    // A stand-in detector: certain of the brightest pixels (the crack's middle, the specks), doubtful of the rest of the crack.
    const entry = { id: 'stand-in', version: '1.0.0', preferredTile: 256, tileOverlap: 16, sizeMultiple: 4 };
    const runner = {
      entry,
      run: async (t: { width: number; height: number; data: Float32Array }) => {
        const n = t.width * t.height, out = createPlanar(t.width, t.height, 2);
        for (let i = 0; i < n; i++) {
          const v = t.data[i];
          out.data[i] = v > 0.85 ? 0.99 : v > 0.6 ? 0.01 : 0.001;
        }
        return out;
      },
    } as unknown as ModelRunner;
    for (const [w, h] of [[320, 200], [1800, 200]]) {
      const img = createRGBA(w, h);
      for (let i = 0; i < w * h; i++) {
        const x = i % w, y = Math.floor(i / w);
        const crack = y >> 1 === 25, middle = Math.abs(x - w / 2) < w / 8;
        const speck = x % 40 >= 4 && x % 40 < 8 && y % 40 >= 4 && y % 40 < 8; // 4 px, so they survive the shrink
        const v = crack ? (middle ? 230 : 180) : speck ? 240 : 80;
        img.data.set([v, v, v, 255], 4 * i);
      }
      const plain = await detectDamage(img, runner);
      const followed = await detectDamage(img, runner, { followCracks: true });
      const onRow = (m: Uint8Array) => count(m, (i) => Math.floor(i / w) >> 1 === 25);
      expect(onRow(plain.defect)).toBeLessThan(onRow(followed.defect));
      expect(onRow(followed.defect)).toBeGreaterThan(0.9 * 2 * w);
      expect(count(followed.defect, (i) => Math.floor(i / w) >> 1 !== 25)).toBe(count(plain.defect, (i) => Math.floor(i / w) >> 1 !== 25));
      expect(followed.followed).toEqual({ sure: true, pixels: count(followed.defect) - count(plain.defect) });
      expect(plain.followed).toBeUndefined();
    }
  });
});

describe('the fill asked to follow cracks', () => {
  it('says so in its record when only the classical detector is there, and says nothing when not asked', async () => {
    const { img } = print();
    const ctx: StageContext = { runner: async () => null, progress: () => {}, shouldStop: () => false };
    const asked = await fillStage.run(img, { strength: 1, followCracks: true }, ctx);
    expect(asked.detectedBy).toBe('classical');
    expect(asked.detail).toMatch(/follow cracks further, which needs the trained detector/);
    expect((await fillStage.run(img, { strength: 1 }, ctx)).detail).toBeUndefined();
  });
});
