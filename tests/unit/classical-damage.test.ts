import { describe, expect, it } from 'vitest';
import { detectDamageClassical, rankFilter } from '../../src/engine/classical/tophat-damage.ts';
import { createRGBA, type RGBAImage } from '../../src/engine/image.ts';
import { maskedPsnr } from '../../src/stages/fill/eval.ts';

const W = 96, H = 80;

function photo(): RGBAImage {
  const img = createRGBA(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const v = 60 + x + 0.5 * y + 6 * Math.sin(x / 3) * Math.cos(y / 4);
      img.data.set([v, v * 0.9, v * 0.7, 255], p);
    }
  }
  return img;
}

function set(img: RGBAImage, x: number, y: number, v: number) {
  img.data.set([v, v, v], (y * W + x) * 4);
}

describe('classical damage detector', () => {
  it('finds a thin bright scratch and a dark speck, and a white hole as missing', () => {
    const img = photo();
    for (let x = 10; x < 70; x++) set(img, x, 20, 250); // 1 px bright scratch
    for (let y = 50; y < 52; y++) for (let x = 40; x < 42; x++) set(img, x, y, 5); // dark speck
    for (let y = 55; y < 75; y++) for (let x = 70; x < 92; x++) set(img, x, y, 245); // hole showing the lid
    const { defect, missing } = detectDamageClassical(img);
    let scratch = 0;
    for (let x = 10; x < 70; x++) scratch += defect[20 * W + x];
    expect(scratch).toBeGreaterThan(55);
    expect(defect[50 * W + 40]).toBe(1);
    expect(missing[65 * W + 80]).toBe(1);
    expect(defect[65 * W + 80]).toBe(0);
    // Far from all of it nothing is flagged.
    expect(defect[40 * W + 20] + missing[40 * W + 20]).toBe(0);
  });

  it('flags nothing on a clean, gently textured photo', () => {
    const { defect, missing } = detectDamageClassical(photo());
    expect(defect.reduce((a, b) => a + b, 0) + missing.reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('maskedPsnr', () => {
  it('scores only the masked pixels', () => {
    const a = photo(), b = photo();
    set(b, 1, 1, 0);
    const mask = new Uint8Array(W * H);
    mask[2] = 1;
    expect(maskedPsnr(a, b, mask)).toBe(Infinity);
    mask[W + 1] = 1;
    expect(maskedPsnr(a, b, mask)).toBeLessThan(20);
    expect(Number.isNaN(maskedPsnr(a, b, new Uint8Array(W * H)))).toBe(true);
  });
});

describe('rankFilter', () => {
  it('gives the min and max over the square window, the border pixel repeated past the edges', () => {
    let s = 12345;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    for (const [w, h] of [[1, 1], [7, 3], [23, 17]]) {
      const src = new Float32Array(w * h).map(() => Math.round(rand() * 255));
      for (const size of [1, 3, 5, 11]) {
        for (const max of [false, true]) {
          const got = rankFilter(src, w, h, size, max);
          const r = size >> 1;
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              let v = max ? -Infinity : Infinity;
              for (let dy = -r; dy <= r; dy++) {
                for (let dx = -r; dx <= r; dx++) {
                  const p = src[Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))];
                  v = max ? Math.max(v, p) : Math.min(v, p);
                }
              }
              expect(got[y * w + x], `${w}x${h} size ${size} ${max ? 'max' : 'min'} at ${x},${y}`).toBe(v);
            }
          }
        }
      }
    }
  });
});
