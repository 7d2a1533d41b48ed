/**
 * Faded-colour repair with the trained colour model (manifest task "colour"): the model
 * looks at a small square copy of the photo and returns, per channel, a tone curve
 * (`knots` values on [0, 1], linear in between) and a coarse grid of log-gains for
 * uneven fading. Applying them is a 256-entry table and a bilinear gain per pixel, so a
 * 24-megapixel photo costs about as much as copying it. A grey photo gets one curve and
 * one gain for all three channels, so it stays grey: the model never adds colour.
 */
import { cloneRGBA, createPlanar, thumbnailPlanar, type PlanarImage, type RGBAImage } from '../../engine/image.ts';
import type { ModelRunner } from '../../engine/runtime/model-runner.ts';

export interface CurveCorrection {
  /** [3][knots] */
  curves: Float32Array[];
  /** [3][grid*grid] log-gains, row-major. */
  gains: Float32Array[];
  knots: number;
  grid: number;
}

/** Area-weighted resize of a planar image (every source pixel counts by the share it covers). */
export function resizeArea(src: PlanarImage, w: number, h: number): PlanarImage {
  const out = createPlanar(w, h, src.channels);
  const sx = src.width / w, sy = src.height / h;
  const plane = src.width * src.height;
  for (let y = 0; y < h; y++) {
    const ya = y * sy, yb = ya + sy;
    for (let x = 0; x < w; x++) {
      const xa = x * sx, xb = xa + sx;
      const acc = new Float64Array(src.channels);
      let area = 0;
      for (let j = Math.floor(ya); j < Math.min(src.height, Math.ceil(yb)); j++) {
        const wy = Math.min(yb, j + 1) - Math.max(ya, j);
        for (let i = Math.floor(xa); i < Math.min(src.width, Math.ceil(xb)); i++) {
          const wgt = wy * (Math.min(xb, i + 1) - Math.max(xa, i));
          area += wgt;
          for (let c = 0; c < src.channels; c++) acc[c] += wgt * src.data[c * plane + j * src.width + i];
        }
      }
      for (let c = 0; c < src.channels; c++) out.data[c * w * h + y * w + x] = acc[c] / area;
    }
  }
  return out;
}

/** Whether a thumbnail is grey: its channels agree to within about one level on average. */
export function isGrey(thumb: PlanarImage): boolean {
  const n = thumb.width * thumb.height;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.abs(thumb.data[i] - thumb.data[n + i]) + Math.abs(thumb.data[n + i] - thumb.data[2 * n + i]);
  return d / (2 * n) < 1.5 / 255;
}

/** A box-filtered copy of the photo, a few times the model's input size: what the model's input is made from. */
export function sourceThumbnail(img: RGBAImage, runner: ModelRunner): PlanarImage {
  return thumbnailPlanar(img, 8 * (runner.entry.io.thumbnail ?? 64));
}

export function predictCurves(img: RGBAImage, runner: ModelRunner): Promise<CurveCorrection> {
  return predictCurvesFrom(sourceThumbnail(img, runner), runner);
}

/** The model's correction, from a thumbnail of the photo (sourceThumbnail). */
export async function predictCurvesFrom(source: PlanarImage, runner: ModelRunner): Promise<CurveCorrection> {
  const io = runner.entry.io;
  const size = io.thumbnail ?? 64, knots = io.knots ?? 17, grid = io.grid ?? 4;
  const thumb = resizeArea(source, size, size);
  const out = await runner.runOutputs({ [io.input]: { data: thumb.data, dims: [1, 3, size, size] } });
  const c = out[io.output].data, g = out[io.gains ?? 'gains'].data;
  const curves = [0, 1, 2].map((k) => c.slice(k * knots, (k + 1) * knots));
  const gains = [0, 1, 2].map((k) => g.slice(k * grid * grid, (k + 1) * grid * grid));
  if (isGrey(thumb)) {
    // One curve and one gain for all channels: a black-and-white photo gets no colour.
    const mean = (a: Float32Array[]) => a[0].map((_, i) => (a[0][i] + a[1][i] + a[2][i]) / 3);
    const mc = mean(curves), mg = mean(gains);
    return { curves: [mc, mc, mc], gains: [mg, mg, mg], knots, grid };
  }
  return { curves, gains, knots, grid };
}

/** The correction applied at full resolution, blended with the photo by `strength`. */
export function applyCurves(input: RGBAImage, corr: CurveCorrection, strength: number, onRows?: (done: number, total: number) => void): RGBAImage {
  const { width: W, height: H } = input;
  const { knots: K, grid: G } = corr;
  const lut = corr.curves.map((curve) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      const pos = (v / 255) * (K - 1), lo = Math.min(K - 2, Math.floor(pos)), f = pos - lo;
      t[v] = curve[lo] + (curve[lo + 1] - curve[lo]) * f;
    }
    return t;
  });
  const out = cloneRGBA(input);
  const d = out.data, s = input.data;
  const gainRow = new Float32Array(3 * W);
  for (let y = 0; y < H; y++) {
    // Bilinear over the grid with its corners on the photo's corner pixels (align_corners).
    const gy = H > 1 ? (y / (H - 1)) * (G - 1) : 0, y0 = Math.min(G - 2, Math.floor(gy)), fy = gy - y0;
    for (let x = 0; x < W; x++) {
      const gx = W > 1 ? (x / (W - 1)) * (G - 1) : 0, x0 = Math.min(G - 2, Math.floor(gx)), fx = gx - x0;
      for (let c = 0; c < 3; c++) {
        const g = corr.gains[c];
        const top = g[y0 * G + x0] * (1 - fx) + g[y0 * G + x0 + 1] * fx;
        const bot = g[(y0 + 1) * G + x0] * (1 - fx) + g[(y0 + 1) * G + x0 + 1] * fx;
        gainRow[c * W + x] = Math.exp(top * (1 - fy) + bot * fy);
      }
    }
    for (let x = 0, p = y * W * 4; x < W; x++, p += 4) {
      for (let c = 0; c < 3; c++) {
        const v = s[p + c];
        const corrected = Math.min(1, Math.max(0, lut[c][v] * gainRow[c * W + x])) * 255;
        d[p + c] = v + strength * (corrected - v);
      }
    }
    if (onRows && (y % 256 === 255 || y === H - 1)) onRows(y + 1, H);
  }
  return out;
}
