import { describe, expect, it } from 'vitest';
import { createPlanar, type PlanarImage } from '../../src/engine/image.ts';
import { psnr, quantize8, ssim, ciede2000, srgbToLab, meanDeltaE00, type Lab } from '../../src/engine/metrics/index.ts';

function ramp(w: number, h: number): PlanarImage {
  const img = createPlanar(w, h, 3);
  const n = w * h;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    img.data[i] = x / w; img.data[n + i] = y / h; img.data[2 * n + i] = 0.5 + 0.3 * Math.sin(x * 0.3 + y * 0.2);
  }
  return img;
}

/** Naive reference SSIM (direct 2-D windows) for cross-checking the separable one. */
function naiveSsim(a: PlanarImage, b: PlanarImage): number {
  const { width: W, height: H } = a;
  const g: number[] = [];
  let s = 0;
  for (let k = -5; k <= 5; k++) { g.push(Math.exp(-(k * k) / 4.5)); s += g[g.length - 1]; }
  for (let k = 0; k < 11; k++) g[k] /= s;
  const C1 = 6.5025, C2 = 58.5225;
  let total = 0;
  for (let c = 0; c < a.channels; c++) {
    let sum = 0, cnt = 0;
    for (let y = 5; y < H - 5; y++) for (let x = 5; x < W - 5; x++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) {
        const w = g[dy + 5] * g[dx + 5];
        const i = c * W * H + (y + dy) * W + x + dx;
        const u = a.data[i] * 255, v = b.data[i] * 255;
        mx += w * u; my += w * v; xx += w * u * u; yy += w * v * v; xy += w * u * v;
      }
      const vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
      sum += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      cnt++;
    }
    total += sum / cnt;
  }
  return total / a.channels;
}

describe('psnr / quantize8', () => {
  it('is infinite for identical images and 48.13 dB for a 1/255 offset', () => {
    const a = ramp(32, 24);
    expect(psnr(a, a)).toBe(Infinity);
    const b = { ...a, data: a.data.map((v) => v + 1 / 255) };
    expect(psnr(a, b)).toBeCloseTo(48.1308, 3);
    expect(psnr(a, b, { crop: 4 })).toBeCloseTo(48.1308, 3);
    const a255 = { ...a, data: a.data.map((v) => v * 255) };
    const b255 = { ...a, data: a255.data.map((v) => v + 1) };
    expect(psnr(a255, b255, { peak: 255 })).toBeCloseTo(48.1308, 3);
  });
  it('quantize8 rounds half up and clips like the Python side', () => {
    const img = createPlanar(6, 1, 1);
    img.data.set([-0.1, 0.5 / 255, 1.49 / 255, 0.5, 1.2, 254.51 / 255]);
    const q = Array.from(quantize8(img).data, (v) => Math.round(v * 255));
    expect(q).toEqual([0, 1, 1, 128, 255, 255]);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const a = ramp(40, 30);
    expect(ssim(a, a)).toBeCloseTo(1, 10);
  });
  it('matches the closed form on constant images', () => {
    const a = createPlanar(16, 16, 1), b = createPlanar(16, 16, 1);
    a.data.fill(100 / 255); b.data.fill(120 / 255);
    const C1 = (0.01 * 255) ** 2;
    const expected = (2 * 100 * 120 + C1) / (100 * 100 + 120 * 120 + C1);
    expect(ssim(a, b)).toBeCloseTo(expected, 6);
  });
  it('matches a naive 2-D window implementation on a noisy pair', () => {
    const a = ramp(30, 24);
    let s = 12345;
    const b = { ...a, data: a.data.map((v) => { s = (s * 1103515245 + 12345) >>> 0; return v + ((s / 2 ** 32) - 0.5) * 0.2; }) };
    const ref = naiveSsim(a, b);
    expect(ssim(a, b)).toBeCloseTo(ref, 8);
    expect(ref).toBeLessThan(0.9);
  });
});

describe('ciede2000', () => {
  // Sharma, Wu & Dalal (2005), Table 1: [L1, a1, b1, L2, a2, b2, dE00]
  const pairs: number[][] = [
    [50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425],
    [50, 3.1571, -77.2803, 50, 0, -82.7485, 2.8615],
    [50, -1.3802, -84.2814, 50, 0, -82.7485, 1.0],
    [50, 0, 0, 50, -1, 2, 2.3669],
    [50, 2.49, -0.001, 50, -2.49, 0.0009, 7.1792],
    [50, 2.49, -0.001, 50, -2.49, 0.0011, 7.2195],
    [50, 2.5, 0, 73, 25, -18, 27.1492],
    [50, 2.5, 0, 61, -5, 29, 22.8977],
    [50, 2.5, 0, 56, -27, -3, 31.903],
    [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
    [22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373],
    [90.8027, -2.0831, 1.441, 91.1528, -1.6435, 0.0447, 1.4441],
    [2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082],
  ];
  it.each(pairs)('pair %#', (L1, a1, b1, L2, a2, b2, dE) => {
    expect(ciede2000([L1, a1, b1], [L2, a2, b2])).toBeCloseTo(dE, 4);
    expect(ciede2000([L2, a2, b2], [L1, a1, b1])).toBeCloseTo(dE, 4);
  });
  it('converts sRGB to Lab (white, black, mid grey, red)', () => {
    const close = (x: Lab, y: Lab) => x.forEach((v, i) => expect(v).toBeCloseTo(y[i], 1));
    close(srgbToLab(1, 1, 1), [100, 0, 0]);
    close(srgbToLab(0, 0, 0), [0, 0, 0]);
    close(srgbToLab(0.5, 0.5, 0.5), [53.39, 0, 0]);
    close(srgbToLab(1, 0, 0), [53.24, 80.09, 67.2]);
  });
  it('meanDeltaE00 is 0 for identical images and positive otherwise', () => {
    const a = ramp(8, 8);
    expect(meanDeltaE00(a, a)).toBe(0);
    const b = { ...a, data: a.data.map((v, i) => (i < 64 ? v + 0.05 : v)) };
    expect(meanDeltaE00(a, b)).toBeGreaterThan(0.5);
  });
});
