import type { PlanarImage } from '../image.ts';
import { rankFilter } from '../classical/tophat-damage.ts';

/**
 * Halo / ringing: RMS (8-bit levels) of how far the result overshoots the sharp photo's own local
 * range (its min and max over 5 x 5 px; Python twin: halo_rms in training/heirloom_train/metrics). Sharpening that rings or halos pushes edges past both
 * sides; a faithful result, or the blurred input, stays inside (up to noise).
 */
export function haloRms(out: PlanarImage, clean: PlanarImage, radius = 2): number {
  const { width: w, height: h } = clean, n = w * h;
  let se = 0;
  for (let c = 0; c < 3; c++) {
    const plane = clean.data.subarray(c * n, (c + 1) * n);
    const hi = rankFilter(plane, w, h, 2 * radius + 1, true), lo = rankFilter(plane, w, h, 2 * radius + 1, false);
    for (let i = 0; i < n; i++) {
      const o = out.data[c * n + i];
      const e = Math.max(0, o - hi[i], lo[i] - o) * 255;
      se += e * e;
    }
  }
  return Math.sqrt(se / (3 * n));
}
