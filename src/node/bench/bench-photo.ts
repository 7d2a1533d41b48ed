/**
 * Deterministic synthetic photo for benchmarks, written straight into 8-bit RGBA
 * row by row (no full-resolution float copy), so a 24-megapixel photo costs its
 * 96 MB and about a second to make, in Node and in the browser alike.
 *
 * Content: a sky-like vertical gradient and a horizon, low-frequency colour waves,
 * hard-edged shapes (discs, boxes, a stripe band: edges for the sharpness measures),
 * fine separable texture (fabric/foliage stand-in), a mild fade and warm cast,
 * camera shake (a horizontal streak of `shake` px), seeded Gaussian noise (sigma
 * `noise` in 8-bit units) and, on top, print damage (bright scratches and dark and
 * light specks over about `damage` of the pixels), so that the analysis has every
 * stage to propose. Every value is a function of (width, height, seed).
 */
import type { RGBAImage } from '../../engine/image.ts';
import { lowbias32 } from '../../engine/degradations/rng.ts';

export interface BenchPhotoOptions {
  seed?: number;
  /** Gaussian noise sigma in 8-bit units (0 = clean). */
  noise?: number;
  /** 0 = full contrast, 0.3 = washed out towards a warm grey. */
  fade?: number;
  /** Length in px of the horizontal camera-shake streak (default: the short side / 300; 0 = sharp). */
  shake?: number;
  /** Share of the pixels under scratches and specks (default 0.01, at most 0.2; 0 = undamaged). */
  damage?: number;
}

/** Width and height of a 3:2 photo of about `megapixels` (even sides). */
export function benchPhotoSize(megapixels: number): { width: number; height: number } {
  if (!(megapixels > 0)) throw new Error(`megapixels must be > 0, got ${megapixels}`);
  const px = megapixels * 1e6;
  const width = Math.max(2, 2 * Math.round(Math.sqrt(px * 1.5) / 2));
  const height = Math.max(2, 2 * Math.round(px / width / 2));
  return { width, height };
}

/** A lookup table of standard normals (Box-Muller of a hashed counter): fast, portable, deterministic. */
function normalTable(seed: number, size = 1 << 16): Float32Array {
  const t = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u0 = (lowbias32((i * 2) ^ seed) + 0.5) / 4294967296;
    const u1 = (lowbias32((i * 2 + 1) ^ seed ^ 0x5bd1e995) + 0.5) / 4294967296;
    t[i] = Math.sqrt(-2 * Math.log(u0)) * Math.cos(2 * Math.PI * u1);
  }
  return t;
}

export function makeBenchPhoto(width: number, height: number, opts: BenchPhotoOptions = {}): RGBAImage {
  const seed = (opts.seed ?? 1) >>> 0;
  const sigma = opts.noise ?? 14;
  const fade = opts.fade ?? 0.18;
  let s = lowbias32(seed ^ 0x2545f491);
  const shake = Math.max(0, Math.round(opts.shake ?? Math.min(width, height) / 300));
  const u = () => (s = lowbias32(s + 0x9e3779b9)) / 4294967296;
  const data = new Uint8ClampedArray(width * height * 4);
  const minSide = Math.min(width, height);

  // Separable tables: everything below is a sum of per-column and per-row terms plus shapes.
  const waveX = [new Float32Array(width), new Float32Array(width), new Float32Array(width)];
  const waveY = [new Float32Array(height), new Float32Array(height), new Float32Array(height)];
  const texX = new Float32Array(width);
  const texY = new Float32Array(height);
  for (let c = 0; c < 3; c++) {
    const fx = (1 + 3 * u()) / width, fy = (1 + 3 * u()) / height, px = 6.28 * u(), py = 6.28 * u();
    const ax = 20 + 20 * u(), ay = 20 + 20 * u();
    for (let x = 0; x < width; x++) waveX[c][x] = ax * Math.sin(2 * Math.PI * fx * x + px);
    for (let y = 0; y < height; y++) waveY[c][y] = ay * Math.sin(2 * Math.PI * fy * y + py);
  }
  const tf = 0.7 + 0.6 * u();
  for (let x = 0; x < width; x++) texX[x] = Math.sin(tf * x) + 0.5 * Math.sin(2.7 * tf * x + 1);
  for (let y = 0; y < height; y++) texY[y] = Math.sin(0.8 * tf * y + 2) + 0.5 * Math.sin(2.1 * tf * y);

  const horizon = Math.round(height * (0.35 + 0.2 * u()));
  const shapes = Array.from({ length: 24 }, () => ({
    cx: u() * width,
    cy: horizon + u() * (height - horizon),
    r: (0.02 + 0.08 * u()) * minSide,
    box: u() < 0.5,
    col: [30 + 190 * u(), 30 + 190 * u(), 30 + 190 * u()],
  }));
  // Stripe band (fine periodic edges, like railings or a striped shirt).
  const bandY0 = Math.round(horizon + 0.05 * height), bandY1 = bandY0 + Math.max(2, Math.round(0.04 * height));
  const stripe = Math.max(2, Math.round(minSide / 400));

  const gauss = normalTable(seed);
  const mask = gauss.length - 1;
  const keyR = lowbias32(seed ^ 0xa511e9b3);
  const fadeTo = [200, 185, 160];
  const keep = 1 - fade;
  const row = [new Float32Array(width), new Float32Array(width), new Float32Array(width)];
  const streakBuf = new Float32Array(width);

  for (let y = 0; y < height; y++) {
    const sky = y < horizon;
    const t = y / height;
    // Base: sky gradient above the horizon, darker ground below.
    const base = sky ? [90 + 90 * t, 130 + 80 * t, 210 - 40 * t] : [110 - 40 * t, 100 - 30 * t, 70 - 20 * t];
    for (let c = 0; c < 3; c++) {
      const r = row[c], wx = waveX[c], wy = waveY[c][y], tex = sky ? 0 : 18 * texY[y];
      for (let x = 0; x < width; x++) r[x] = base[c] + wx[x] + wy + tex * texX[x];
    }
    if (y >= bandY0 && y < bandY1) {
      for (let x = 0; x < width; x++) {
        if (Math.floor(x / stripe) % 2 === 0) row[0][x] = row[1][x] = row[2][x] = 235;
        else row[0][x] = row[1][x] = row[2][x] = 25;
      }
    }
    // Shapes: only the columns a shape covers on this row are touched.
    for (const sh of shapes) {
      const dy = y + 0.5 - sh.cy;
      if (Math.abs(dy) >= sh.r) continue;
      const half = sh.box ? sh.r : Math.sqrt(sh.r * sh.r - dy * dy);
      const x0 = Math.max(0, Math.ceil(sh.cx - half - 0.5)), x1 = Math.min(width, Math.floor(sh.cx + half - 0.5) + 1);
      for (let c = 0; c < 3; c++) row[c].fill(sh.col[c], x0, x1);
      if (sh.box && x1 > x0) {
        // A little shading inside boxes so they are not flat.
        for (let x = x0; x < x1; x++) {
          const shade = 12 * texX[x];
          row[0][x] += shade; row[1][x] += shade; row[2][x] += shade;
        }
      }
    }
    if (shake > 1) for (let c = 0; c < 3; c++) streak(row[c], shake, streakBuf);
    // Fade, cast, noise; write 8-bit.
    let p = y * width * 4;
    const rowKey = lowbias32((y ^ keyR) >>> 0);
    for (let x = 0; x < width; x++, p += 4) {
      const h = lowbias32((x + rowKey) >>> 0);
      data[p] = keep * row[0][x] + fade * fadeTo[0] + sigma * gauss[h & mask];
      data[p + 1] = keep * row[1][x] + fade * fadeTo[1] + sigma * gauss[(h >>> 16) & mask];
      data[p + 2] = keep * row[2][x] + fade * fadeTo[2] + sigma * gauss[lowbias32(h) & mask];
      data[p + 3] = 255;
    }
  }
  const img = { width, height, data };
  addPrintDamage(img, opts.damage ?? 0.01, u);
  return img;
}

/** A horizontal box blur of `len` px along a row (camera shake), edges clamped. */
function streak(r: Float32Array, len: number, buf: Float32Array) {
  const w = r.length, lo = Math.floor((len - 1) / 2);
  buf.set(r);
  let sum = 0;
  for (let k = -lo; k < len - lo; k++) sum += buf[Math.min(w - 1, Math.max(0, k))];
  for (let x = 0; x < w; x++) {
    r[x] = sum / len;
    sum += buf[Math.min(w - 1, x + len - lo)] - buf[Math.max(0, x - lo)];
  }
}

/**
 * Bright scratches (random walks across the photo, 1-3 px wide at 12 MP) and dark and light specks,
 * drawn until about `share` of the pixels are covered: what a scanned print's surface adds.
 */
function addPrintDamage(img: RGBAImage, share: number, u: () => number) {
  const { width, height, data } = img;
  if (!(share > 0)) return;
  // a share near 1 would never be reached once walks mostly land on covered pixels
  const target = Math.min(share, 0.2) * width * height, unit = Math.max(1, Math.min(width, height) / 1400);
  let covered = 0;
  const dot = (cx: number, cy: number, r: number, v: number) => {
    const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const p = (y * width + x) * 4;
        if (data[p] !== v || data[p + 1] !== v) covered++;
        data[p] = data[p + 1] = data[p + 2] = v;
      }
    }
  };
  while (covered < 0.8 * target) {
    // a scratch: a slowly turning walk a third to all of the long side
    let x = u() * width, y = u() * height, a = 2 * Math.PI * u();
    const steps = Math.round((0.3 + 0.7 * u()) * Math.max(width, height)), r = (0.5 + u()) * unit, v = 225 + Math.round(25 * u());
    for (let k = 0; k < steps && covered < 0.8 * target; k++) {
      dot(x, y, r, v);
      a += 0.05 * (u() - 0.5);
      x += Math.cos(a); y += Math.sin(a);
      if (x < 0 || y < 0 || x >= width || y >= height) break;
    }
  }
  while (covered < target) dot(u() * width, u() * height, (1 + 3 * u()) * unit, u() < 0.5 ? 20 + Math.round(30 * u()) : 240);
}

/** The bench photo for a megapixel count. */
export function benchPhoto(megapixels: number, opts: BenchPhotoOptions = {}): RGBAImage {
  const { width, height } = benchPhotoSize(megapixels);
  return makeBenchPhoto(width, height, opts);
}
