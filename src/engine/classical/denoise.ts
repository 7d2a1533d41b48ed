/**
 * Classical colour denoisers: non-local means (Buades, Coll & Morel) and a bilateral
 * filter. They are the app's fallback when no model can run and the baselines the
 * evaluation compares models against.
 *
 * NLM speed: instead of comparing patches pixel by pixel, every search offset d is
 * handled as a whole image: the per-pixel squared colour difference between the image
 * and its shift by d is box-filtered with running sums (patch distance for every pixel
 * in O(1)), and because dist(p, p+d) = dist(p+d, p) each offset also serves -d, so only
 * half of the search window is visited. Cost ~ (search^2 / 2) * pixels * a few dozen flops.
 */
import { clonePlanar, createPlanar, type PlanarImage } from '../image.ts';
import { reflectIndex } from '../tiling.ts';

export interface NlmOptions {
  /** Patch radius f (patch is (2f+1)^2). Default from sigma (IPOL table): 1 up to 25/255, 2 up to 55/255, else 3. */
  patchRadius?: number;
  /** Search radius S (window (2S+1)^2). Default 10 (21x21). */
  searchRadius?: number;
  /** Filtering parameter h as a multiple of sigma. Default 0.55 / 0.4 / 0.35 by the same sigma bands. */
  hFactor?: number;
}

interface NlmParams { f: number; S: number; h: number }

function nlmParams(sigma: number, opts: NlmOptions = {}): NlmParams {
  const s255 = sigma * 255;
  const band = s255 <= 25 ? 0 : s255 <= 55 ? 1 : 2;
  const f = opts.patchRadius ?? [1, 2, 3][band];
  const S = opts.searchRadius ?? 10;
  const h = (opts.hFactor ?? [0.55, 0.4, 0.35][band]) * sigma;
  return { f, S, h };
}

/**
 * Pixels of context NLM needs on each side: search radius + patch radius. Tile
 * with overlap >= this value for results identical to a whole-image run.
 */
export function NLM_RECEPTIVE_FIELD(opts: NlmOptions & { sigma?: number } = {}): number {
  const { f, S } = nlmParams(opts.sigma ?? 25 / 255, opts);
  return S + f;
}

/** Largest receptive field of the default settings (any sigma): a safe tiling overlap. */
export const NLM_MAX_RECEPTIVE_FIELD = 13;

/** Reflect-pads each channel by P into a new float32 array of (W+2P)x(H+2P) planes. */
function padReflect(img: PlanarImage, P: number): { data: Float32Array; PW: number; PH: number } {
  const { width: W, height: H, channels: C } = img;
  const PW = W + 2 * P, PH = H + 2 * P;
  const data = new Float32Array(PW * PH * C);
  const xi = new Int32Array(PW);
  for (let x = 0; x < PW; x++) xi[x] = reflectIndex(x - P, W);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < PH; y++) {
      const sy = reflectIndex(y - P, H);
      const src = c * W * H + sy * W;
      const dst = c * PW * PH + y * PW;
      for (let x = 0; x < PW; x++) data[dst + x] = img.data[src + xi[x]];
    }
  }
  return { data, PW, PH };
}

/**
 * Non-local means colour denoising. `sigma` is the noise standard deviation in [0,1]
 * units (e.g. 25/255). Weights w = exp(-max(d2 - 2 sigma^2, 0) / h^2) with d2 the mean
 * squared difference over the patch and all channels (the IPOL formulation). Borders
 * are reflect-padded. sigma <= 0 returns an unchanged copy.
 */
export function nonLocalMeans(img: PlanarImage, sigma: number, opts: NlmOptions = {}): PlanarImage {
  if (!(sigma > 0)) return clonePlanar(img);
  const { f, S, h } = nlmParams(sigma, opts);
  const { width: W, height: H, channels: C } = img;
  const P = S + f;
  const { data: pad, PW, PH } = padReflect(img, P);
  const plane = PW * PH;
  const accW = new Float32Array(plane);
  const acc = new Float32Array(plane * C);
  const invNorm = 1 / (C * (2 * f + 1) * (2 * f + 1));
  const sub = 2 * sigma * sigma;
  const invH2 = 1 / (h * h);
  const cutoff = 12 * h * h; // exp(-12) ~ 6e-6: below that a weight changes nothing visible
  const K = 2 * f + 1;
  // Scratch buffers sized for the largest region (W + S) x (H + S) plus patch margins.
  const maxW = W + S + 2 * f, maxH = H + S + 2 * f;
  const D = new Float32Array(maxW * maxH);
  const Hs = new Float32Array((W + S) * maxH);
  const colSum = new Float64Array(W + S);

  for (let dy = 0; dy <= S; dy++) {
    for (let dx = -S; dx <= S; dx++) {
      if (dy === 0 && dx <= 0) continue;
      // Pixels p whose weight with p+d is needed: the output region and the output region shifted by -d.
      const xa = P + Math.min(0, -dx), xb = P + W - 1 + Math.max(0, -dx);
      const ya = P - dy, yb = P + H - 1;
      const ow = xb - xa + 1, oh = yb - ya + 1;
      const dw = ow + 2 * f, dh = oh + 2 * f;
      const dOff = dy * PW + dx;
      // Squared colour differences over the region plus patch margins.
      for (let j = 0; j < dh; j++) {
        const rowBase = (ya - f + j) * PW + (xa - f);
        const dRow = j * dw;
        for (let i = 0; i < dw; i++) {
          const p = rowBase + i;
          let s = 0;
          for (let c = 0; c < C; c++) {
            const v = pad[c * plane + p] - pad[c * plane + p + dOff];
            s += v * v;
          }
          D[dRow + i] = s;
        }
      }
      // Horizontal box sums of width K.
      for (let j = 0; j < dh; j++) {
        const dRow = j * dw, hRow = j * ow;
        let run = 0;
        for (let k = 0; k < K; k++) run += D[dRow + k];
        Hs[hRow] = run;
        for (let i = 1; i < ow; i++) {
          run += D[dRow + i + K - 1] - D[dRow + i - 1];
          Hs[hRow + i] = run;
        }
      }
      // Vertical running sums, weights and symmetric accumulation.
      for (let i = 0; i < ow; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += Hs[k * ow + i];
        colSum[i] = s;
      }
      for (let j = 0; j < oh; j++) {
        const pRow = (ya + j) * PW + xa;
        const top = j * ow, bottom = (j + K) * ow;
        const last = j === oh - 1;
        for (let i = 0; i < ow; i++) {
          const d2 = colSum[i] * invNorm - sub;
          if (!last) colSum[i] += Hs[bottom + i] - Hs[top + i];
          if (d2 > cutoff) continue;
          const w = d2 <= 0 ? 1 : Math.exp(-d2 * invH2);
          const p = pRow + i, q = p + dOff;
          accW[p] += w;
          accW[q] += w;
          for (let c = 0; c < C; c++) {
            const o = c * plane;
            acc[o + p] += w * pad[o + q];
            acc[o + q] += w * pad[o + p];
          }
        }
      }
    }
  }

  const out = createPlanar(W, H, C);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y + P) * PW + x + P;
      const wSum = accW[p] + 1; // the pixel itself, weight 1
      for (let c = 0; c < C; c++) {
        out.data[c * W * H + y * W + x] = (acc[c * plane + p] + pad[c * plane + p]) / wSum;
      }
    }
  }
  return out;
}

/** Receptive field of `bilateral` for a spatial sigma (window radius ceil(2 sigmaSpatial)). */
export function BILATERAL_RECEPTIVE_FIELD(sigmaSpatial: number): number {
  return Math.max(1, Math.ceil(2 * sigmaSpatial));
}

/**
 * Bilateral filter with a joint colour range kernel (one weight per neighbour from the
 * squared RGB distance, so channels stay aligned and no colour fringes appear).
 * sigmaSpatial in px, sigmaRange in [0,1] units. Neighbours outside the image are
 * skipped (weights renormalise), which is tile-exact with overlap >= the receptive field.
 */
export function bilateral(img: PlanarImage, sigmaSpatial: number, sigmaRange: number): PlanarImage {
  if (!(sigmaSpatial > 0) || !(sigmaRange > 0)) return clonePlanar(img);
  const { width: W, height: H, channels: C } = img;
  const R = BILATERAL_RECEPTIVE_FIELD(sigmaSpatial);
  const n = W * H;
  const spatial = new Float64Array((2 * R + 1) * (2 * R + 1));
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const r2 = dx * dx + dy * dy;
      spatial[(dy + R) * (2 * R + 1) + dx + R] = r2 > R * R ? 0 : Math.exp(-r2 / (2 * sigmaSpatial * sigmaSpatial));
    }
  }
  const invR = 1 / (2 * sigmaRange * sigmaRange);
  const out = createPlanar(W, H, C);
  const d = img.data;
  const sum = new Float64Array(C);
  for (let y = 0; y < H; y++) {
    const y0 = Math.max(0, y - R), y1 = Math.min(H - 1, y + R);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x - R), x1 = Math.min(W - 1, x + R);
      const p = y * W + x;
      sum.fill(0);
      let wSum = 0;
      for (let yy = y0; yy <= y1; yy++) {
        const sRow = (yy - y + R) * (2 * R + 1) - x + R;
        for (let xx = x0; xx <= x1; xx++) {
          const ws = spatial[sRow + xx];
          if (ws === 0) continue;
          const q = yy * W + xx;
          let dist = 0;
          for (let c = 0; c < C; c++) {
            const v = d[c * n + q] - d[c * n + p];
            dist += v * v;
          }
          const w = ws * Math.exp(-dist * invR);
          wSum += w;
          for (let c = 0; c < C; c++) sum[c] += w * d[c * n + q];
        }
      }
      for (let c = 0; c < C; c++) out.data[c * n + p] = sum[c] / wSum;
    }
  }
  return out;
}
