/**
 * Camera shake: find it (a blind kernel estimate on a full-resolution centre crop, trusted only
 * where `useEstimate` passes) and undo it (deconvolution by that kernel with a total-variation prior, tile by tile).
 * The deblur stage takes this path instead of the blind net when the estimate is trusted.
 */
import SHARED from '../shared-constants.json';
import { blendInto, createPlanar, cropRGBA, planarLuma, rgbaToPlanar, type PlanarImage, type RGBAImage } from '../image.ts';
import { runTiledRGBA } from '../pipeline/tiled-model.ts';
import type { TileProgress, TileSpec } from '../tiling.ts';
import { estimateWeight, kernelChecks, tvDeconvolvePlanes, WIENER_LAMBDA, WIENER_PAD, wienerPlanes, type BlurKernel, type KernelChecks } from './deconvolution.ts';
import { estimateKernel } from './kernel-estimate.ts';

/**
 * The centre crop the kernel is estimated on (full resolution: blur is measured in photo pixels):
 * at most 768 x 512, its long side along the photo's. That is Kodak24's size, where the gate was
 * checked, and about 2 s of single-threaded JavaScript; a 768 x 768 crop took half as long again
 * (the FFT grids double) and gave verdicts no better on large photos (docs/speed.md). Shared with
 * training/ (deconv.shake_crop).
 */
export const SHAKE_CROP: { long: number; short: number } = SHARED.shakeCrop;
/** Below this side there are too few edges to fit a 25 px kernel to. */
export const SHAKE_MIN_SIDE = 64;

/**
 * Tiles for the deconvolution: 960 px read, 128 px cropped on inner sides, so that with the 32 px
 * border each FFT is 1024 px. The regularised inverse filter reaches far (its gain near the
 * kernel's spectral zeros is up to 1 / (2 sqrt(lam |grad|^2))): at 128 px a tile's result is within
 * about 1/255 of one whole-photo deconvolution inside the photo, 3/255 at its edges (unit test).
 */
export const DECONVOLUTION_TILES: TileSpec = { tile: 1024 - 2 * WIENER_PAD, overlap: 128, sizeMultiple: 1 };

export interface CameraShake {
  kernel: BlurKernel;
  checks: KernelChecks;
  /** Whether the estimate is trusted (`useEstimate`; `weight` 1): deconvolve by it rather than run the blind net. */
  deconvolve: boolean;
  /** Share of the deblur stage's result taken from deconvolution by it (`estimateWeight`): 1 when trusted, 0 for the net alone, between for a kernel that may be shake. */
  weight: number;
  /** Length of the shake, px: the kernel's longest extent. */
  lengthPx: number;
}

/** The longest distance between two pixels of the kernel's support, plus one. */
export function kernelLength(k: BlurKernel): number {
  const pts: [number, number][] = [];
  for (let i = 0; i < k.size; i++) for (let j = 0; j < k.size; j++) if (k.data[i * k.size + j] > 0) pts.push([i, j]);
  let longest = 0;
  for (let a = 0; a < pts.length; a++) for (let b = a + 1; b < pts.length; b++) longest = Math.max(longest, Math.hypot(pts[a][0] - pts[b][0], pts[a][1] - pts[b][1]));
  return Math.round(longest) + 1;
}

/**
 * Recent estimates by the content of the crop they were made on. The app hands the analysis'
 * estimate to the stage through its context; this serves the evaluation, which restores each photo
 * of a set once per method from fresh copies. An entry is a few kB (a 25 x 25 kernel), so many are
 * kept: with 4, `npm run eval` estimated every photo three to four times.
 */
const recent = new Map<string, CameraShake>();
const RECENT_MAX = 128;

/** Two 32-bit FNV-1a hashes (different offsets) of the crop's bytes, with its place in the photo. */
function cropKey(img: RGBAImage, crop: RGBAImage): string {
  let a = 0x811c9dc5, b = 0x2545f491;
  for (let i = 0; i < crop.data.length; i++) {
    a = Math.imul(a ^ crop.data[i], 0x01000193);
    b = Math.imul(b ^ crop.data[i], 0x01000193);
  }
  return `${img.width}x${img.height}:${crop.width}x${crop.height}:${a >>> 0}:${b >>> 0}`;
}

/** The full-resolution centre crop the kernel is estimated on; null for photos too small to tell. */
export function shakeSearchCrop(img: RGBAImage): RGBAImage | null {
  if (Math.min(img.width, img.height) < SHAKE_MIN_SIDE) return null;
  const landscape = img.width >= img.height;
  const w = Math.min(img.width, landscape ? SHAKE_CROP.long : SHAKE_CROP.short), h = Math.min(img.height, landscape ? SHAKE_CROP.short : SHAKE_CROP.long);
  return cropRGBA(img, (img.width - w) >> 1, (img.height - h) >> 1, w, h);
}

/** The blur kernel of a crop (`shakeSearchCrop`) and whether to trust it: seconds of JavaScript. */
export function shakeOfCrop(crop: RGBAImage, shouldStop?: () => boolean): CameraShake {
  const { width: w, height: h } = crop;
  const luma = planarLuma(rgbaToPlanar(crop));
  const grey = { width: w, height: h, data: Float64Array.from(luma.data) };
  const kernel = estimateKernel(grey, { shouldStop });
  const checks = kernelChecks(grey.data, w, h, kernel);
  const weight = estimateWeight(checks);
  return { kernel, checks, deconvolve: weight === 1, weight, lengthPx: kernelLength(kernel) };
}

function remember(key: string, shake: CameraShake): CameraShake {
  recent.set(key, shake);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  return shake;
}

/** The photo's search crop, its cache key, and the estimate already made on it if there is one. */
function lookUp(img: RGBAImage): { crop: RGBAImage; key: string; known?: CameraShake } | null {
  const crop = shakeSearchCrop(img);
  if (!crop) return null;
  const key = cropKey(img, crop);
  return { crop, key, known: recent.get(key) };
}

/** Estimates the photo's blur kernel and whether to trust it; null for photos too small to tell. */
export function findCameraShake(img: RGBAImage, shouldStop?: () => boolean): CameraShake | null {
  const found = lookUp(img);
  if (!found) return null;
  return found.known ?? remember(found.key, shakeOfCrop(found.crop, shouldStop));
}

/**
 * `findCameraShake` with the estimate made by `estimate` (a worker of its own, so that it runs beside
 * the models of the analysis); the crop is handed over, and may be transferred.
 */
export async function findCameraShakeBy(img: RGBAImage, estimate: (crop: RGBAImage) => Promise<CameraShake>): Promise<CameraShake | null> {
  const found = lookUp(img);
  if (!found) return null;
  return found.known ?? remember(found.key, await estimate(found.crop));
}

/**
 * How a deconvolution regularises: 'tv' (total variation, what the stage applies: it rings least) or
 * 'wiener' (the plain quadratic one, kept as the classical baseline the evaluation reports).
 */
export type DeconvolutionPrior = 'tv' | 'wiener';

/** The photo deconvolved by `kernel` tile by tile, blended with it by `strength`. */
export function deconvolveShake(input: RGBAImage, kernel: BlurKernel, strength: number, ctx: TileProgress, prior: DeconvolutionPrior = 'tv'): Promise<RGBAImage> {
  return runTiledRGBA(input, DECONVOLUTION_TILES, (tile) => blendInto(tile, deconvolveTile(tile, kernel, prior), strength), ctx);
}

/** One tile (RGB planar, [0, 1]) deconvolved by `kernel`, clipped to [0, 1]. */
export function deconvolveTile(tile: PlanarImage, kernel: BlurKernel, prior: DeconvolutionPrior = 'tv'): PlanarImage {
  const { width: w, height: h } = tile, n = w * h;
  const planes = Array.from({ length: tile.channels }, (_, c) => tile.data.subarray(c * n, (c + 1) * n));
  const out = createPlanar(w, h, tile.channels);
  const deconvolved = prior === 'tv' ? tvDeconvolvePlanes(planes, w, h, kernel) : wienerPlanes(planes, w, h, kernel, WIENER_LAMBDA);
  deconvolved.forEach((p, c) => {
    for (let i = 0; i < n; i++) out.data[c * n + i] = Math.min(1, Math.max(0, p[i]));
  });
  return out;
}
