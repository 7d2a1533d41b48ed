/**
 * Following cracks further, on request: on a cracked print the detector flags the clearest parts
 * of a crack network and gives the rest, as bright and as wide, probabilities well under its
 * threshold. Here the defects it found grow, as in Canny's hysteresis, through pixels that look
 * like the rest of a bright crack: thin and bright (the luma's white top-hat), standing out from
 * the texture around them (so knitwear or foliage does not carry the growth), and not ruled out by
 * the detector (its probability is low but not nil). Only on a photo the detector is sure is
 * damaged (certainty.ts), and never by default: on photos with damage drawn on them it also
 * spreads along the photos' own bright edges, so the user asks for it and checks what it marks.
 * Python twin and the measurements behind the limits: training/tools/crack_growth_study.py
 * (the "follow" rule), numbers in docs/models/detect.md.
 */
import type { PlanarImage, RGBAImage } from '../image.ts';
import { whiteTopHat } from '../classical/tophat-damage.ts';
import { maskRegions } from '../mask-regions.ts';
import { damageCertainty } from './certainty.ts';

/** Top-hat window (px, square): wider than the cracks it follows. */
export const FOLLOW_WINDOW = 11;
/** A pixel may carry the growth from this white top-hat (8-bit levels)... */
export const FOLLOW_MIN_TOPHAT = 22;
/** ...and this many times the texture level around it (the median top-hat of its block)... */
export const FOLLOW_TEXTURE_FACTOR = 3;
/** ...(a texture level under this counts as this: flat areas do not make every faint step a crack)... */
export const FOLLOW_TEXTURE_FLOOR = 2;
/** ...when the detector's defect probability reaches this. */
export const FOLLOW_MIN_PROBABILITY = 1e-4;
/** Side (px) of the blocks the texture level is measured on. */
export const FOLLOW_BLOCK = 32;

interface Found {
  defect: Uint8Array;
  missing: Uint8Array;
  confidence: Float32Array;
}

/**
 * The median of `values` per block (blocks split the photo as evenly as whole pixels allow, about
 * `block` px each), interpolated bilinearly between block centres, as cv2.resize(INTER_LINEAR) of the
 * block grid to the photo's size does.
 */
export function blockMedianLevel(values: Float32Array, w: number, h: number, block = FOLLOW_BLOCK): Float32Array {
  const gw = Math.max(1, Math.round(w / block)), gh = Math.max(1, Math.round(h / block));
  const edges = (n: number, g: number) => Array.from({ length: g + 1 }, (_, i) => Math.floor((i * n) / g));
  const xs = edges(w, gw), ys = edges(h, gh);
  const grid = new Float32Array(gw * gh);
  const buffer = new Float32Array((Math.ceil(w / gw) + 1) * (Math.ceil(h / gh) + 1));
  for (let by = 0; by < gh; by++) {
    for (let bx = 0; bx < gw; bx++) {
      let k = 0;
      for (let y = ys[by]; y < ys[by + 1]; y++) for (let x = xs[bx]; x < xs[bx + 1]; x++) buffer[k++] = values[y * w + x];
      const cell = buffer.subarray(0, k).sort();
      const m = k >> 1;
      grid[by * gw + bx] = k % 2 ? cell[m] : (cell[m - 1] + cell[m]) / 2;
    }
  }
  const axis = (n: number, g: number) => {
    const lo = new Int32Array(n), hi = new Int32Array(n), t = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.min(g - 1, Math.max(0, ((i + 0.5) * g) / n - 0.5));
      lo[i] = Math.floor(v);
      hi[i] = Math.min(g - 1, lo[i] + 1);
      t[i] = v - lo[i];
    }
    return { lo, hi, t };
  };
  const ax = axis(w, gw), ay = axis(h, gh);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const a = ay.lo[y] * gw, b = ay.hi[y] * gw, ty = ay.t[y];
    for (let x = 0; x < w; x++) {
      const top = grid[a + ax.lo[x]] * (1 - ax.t[x]) + grid[a + ax.hi[x]] * ax.t[x];
      const bottom = grid[b + ax.lo[x]] * (1 - ax.t[x]) + grid[b + ax.hi[x]] * ax.t[x];
      out[y * w + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * The defects `found` on `img` (the photo as the detector saw it; `probs` its two probability planes)
 * followed along bright thin lines: the pixels added (1 = added) and, for each, the confidence of the
 * damage it continues (the most confident pixel of its group), so a crack's followed stretch is kept
 * or offered with the crack. Nothing is added unless the detector is sure the photo is damaged (`sure`).
 */
export function followCracks(img: RGBAImage, probs: PlanarImage, found: Found): { added: Uint8Array; confidence: Float32Array; sure: boolean } {
  const { width: w, height: h } = img;
  const n = w * h;
  const added = new Uint8Array(n), confidence = new Float32Array(n);
  const any = found.defect.map((v, i) => v | found.missing[i]);
  if (!damageCertainty(any, (i) => found.confidence[i], w, h).sure) return { added, confidence, sure: false };
  const hat = whiteTopHat(img, FOLLOW_WINDOW);
  const level = blockMedianLevel(hat, w, h);
  const grown = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (found.missing[i]) continue;
    const candidate = hat[i] >= FOLLOW_MIN_TOPHAT && hat[i] >= FOLLOW_TEXTURE_FACTOR * Math.max(level[i], FOLLOW_TEXTURE_FLOOR) && probs.data[i] >= FOLLOW_MIN_PROBABILITY;
    grown[i] = found.defect[i] || candidate ? 1 : 0;
  }
  const labels = new Int32Array(n);
  const groups = maskRegions(grown, w, h, labels).length;
  // Each group's most confident defect; groups holding none (no defect to continue) stay out.
  const seed = new Float32Array(groups + 1);
  for (let i = 0; i < n; i++) if (found.defect[i]) seed[labels[i]] = Math.max(seed[labels[i]], found.confidence[i]);
  for (let i = 0; i < n; i++) {
    if (!grown[i] || found.defect[i] || !seed[labels[i]]) continue;
    added[i] = 1;
    confidence[i] = seed[labels[i]];
  }
  return { added, confidence, sure: true };
}
