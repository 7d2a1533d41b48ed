/**
 * Deterministic synthetic "photos" for tests and calibration: smooth colour
 * gradients, soft-edged shapes (edges for sharpness/blur measures) and a little
 * fine texture, in roughly [0.15, 0.85] so added noise rarely clips. Everything is
 * a function of (width, height, seed), drawn from the portable CounterRNG.
 */
import { createPlanar, type PlanarImage, type RGBAImage, planarToRGBA } from '../image.ts';
import { CounterRNG } from './rng.ts';

export interface SyntheticOptions {
  /** Amplitude of the fine texture (0 = none). */
  texture?: number;
  /** Number of shapes. */
  shapes?: number;
  /** Width of the shape edges in px (anti-aliasing ramp). */
  edge?: number;
}

export function syntheticPhoto(width: number, height: number, seed = 1, opts: SyntheticOptions = {}): PlanarImage {
  const rng = new CounterRNG(seed, 0xbeef);
  const u = () => rng.uniform1();
  const texture = opts.texture ?? 0.03;
  const nShapes = opts.shapes ?? 8;
  const edge = opts.edge ?? 1;
  const img = createPlanar(width, height, 3);
  const n = width * height;
  // Low-frequency background: a few random waves per channel, mostly shared between channels.
  const waves = Array.from({ length: 4 }, () => ({
    fx: (u() * 3 + 0.5) / width, fy: (u() * 3 + 0.5) / height, ph: u() * 6.28,
    amp: [0.05 + 0.05 * u(), 0.05 + 0.05 * u(), 0.05 + 0.05 * u()],
  }));
  const shapes = Array.from({ length: nShapes }, () => ({
    cx: u() * width, cy: u() * height, r: (0.05 + 0.15 * u()) * Math.min(width, height),
    square: u() < 0.5, col: [0.2 + 0.6 * u(), 0.2 + 0.6 * u(), 0.2 + 0.6 * u()],
  }));
  const tf = 0.6 + 0.5 * u();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const px = [0.5, 0.5, 0.5];
      for (const w of waves) {
        const s = Math.sin(2 * Math.PI * (w.fx * x + w.fy * y) + w.ph);
        for (let c = 0; c < 3; c++) px[c] += w.amp[c] * s;
      }
      for (const s of shapes) {
        const dx = x + 0.5 - s.cx, dy = y + 0.5 - s.cy;
        const d = s.square ? Math.max(Math.abs(dx), Math.abs(dy)) - s.r : Math.hypot(dx, dy) - s.r;
        const a = Math.min(1, Math.max(0, 0.5 - d / edge));
        if (a > 0) for (let c = 0; c < 3; c++) px[c] = (1 - a) * px[c] + a * s.col[c];
      }
      const t = texture * Math.sin(tf * x) * Math.sin(tf * 0.8 * y + 1);
      for (let c = 0; c < 3; c++) img.data[c * n + i] = Math.min(0.85, Math.max(0.15, px[c] + t));
    }
  }
  return img;
}

/** Same as `syntheticPhoto`, as 8-bit RGBA. */
export function syntheticPhotoRGBA(width: number, height: number, seed = 1, opts: SyntheticOptions = {}): RGBAImage {
  return planarToRGBA(syntheticPhoto(width, height, seed, opts));
}
