/**
 * Photo analysis: measures noise, blur, colour cast, fading and resolution and turns
 * them into plain-language verdicts and proposed restoration stages.
 *
 * Cost is bounded for 24 MP inputs: colour statistics use a thumbnail (<= 512 px), while
 * noise and blur are measured at full resolution (downscaling averages noise away and
 * hides blur) but only on a centre crop of at most 1024 x 1024 pixels.
 */
import { planarLuma, thumbnailPlanar, type RGBAImage } from '../image.ts';
import { percentiles } from '../classical/colour.ts';
import { srgbToLab } from '../metrics/deltae.ts';
import { estimateNoisePCA, type PatchSampler } from './noise.ts';
import { estimateBlur } from './sharpness.ts';

/** The classical analysis' kinds, and any a stage's own analysis adds (it names them with `label`). */
export type DefectKind = 'noise' | 'blur' | 'colour' | 'fading' | 'resolution' | 'damage' | (string & {});
export type Verdict = 'none' | 'fixable' | 'partly-fixable' | 'beyond-repair';

export interface DefectVerdict {
  defect: DefectKind;
  /** 0 (none) .. 1 (worst). */
  severity: number;
  verdict: Verdict;
  /** Plain words, with the measured number. */
  reason: string;
  /** What the report calls the defect, for kinds the app does not name itself. */
  label?: string;
  /** A stage whose proposal also repairs this defect when it does not propose one itself (fading, by the colour stage). */
  coveredBy?: string;
  /** What the report adds when no repair is proposed for it (default: that none is). */
  unproposedNote?: string;
  /** The id of the stage that repairs it (the stages' own analyses and the classical verdicts name it). */
  proposedStage?: string;
  /** 0..1 strength for the stage (denoise: 0.5 + sigma/24; deblur: blur/4; colour: severity). */
  suggestedStrength?: number;
  /** What the proposed repair was measured to need: a colour cast, a compressed tonal range. */
  repairs?: ('cast' | 'range')[];
}

export interface Measurements {
  width: number;
  height: number;
  megapixels: number;
  shortSide: number;
  /** Estimated noise std in 8-bit units (mean of R, G, B). */
  noiseSigma: number;
  /** Estimated noise std of luma in 8-bit units. */
  lumaNoiseSigma: number;
  /** Gaussian-equivalent blur sigma in px at full resolution (0 = sharp). */
  blurRadiusEstimate: number;
  /** Variance of the Laplacian / variance of luma (higher = sharper; scale-free). */
  sharpness: number;
  /** Per-channel means and 1%/99% percentiles, [0,1]. */
  channelMeans: [number, number, number];
  channelP1: [number, number, number];
  channelP99: [number, number, number];
  /** Luma 1% and 99% percentiles and their difference (dynamic range), [0,1]. */
  lumaP1: number;
  lumaP99: number;
  dynamicRange: number;
  /** Mean CIELAB a*, b* and the chroma of that mean (the cast). */
  meanA: number;
  meanB: number;
  cast: number;
  /** Mean CIELAB chroma of the pixels (colourfulness / saturation). */
  meanChroma: number;
  /** Chroma spread across the mean hue direction (low = all pixels share one hue). */
  hueSpread: number;
  monochrome: boolean;
  /** Toned monochrome (sepia/brown): one warm hue throughout, kept rather than "fixed". */
  sepia: boolean;
}

export interface AnalysisReport {
  measurements: Measurements;
  defects: DefectVerdict[];
}

export interface ProposedStage {
  stage: string;
  strength: number;
  why: string;
}

const NOISE_CROP = 1024;
const THUMB = 512;

export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
export const r1 = (v: number) => Math.round(v * 10) / 10;

/** Full-resolution centre crop (<= 1024^2) as four planes: R, G, B and luma, 8-bit scale. */
function centreCropPlanes(img: RGBAImage): { planes: Float32Array[]; w: number; h: number } {
  const w = Math.min(NOISE_CROP, img.width), h = Math.min(NOISE_CROP, img.height);
  const x0 = (img.width - w) >> 1, y0 = (img.height - h) >> 1;
  const planes = [0, 1, 2, 3].map(() => new Float32Array(w * h));
  for (let y = 0; y < h; y++) {
    let p = ((y0 + y) * img.width + x0) * 4;
    for (let x = 0; x < w; x++, p += 4) {
      const i = y * w + x;
      const r = img.data[p], g = img.data[p + 1], b = img.data[p + 2];
      planes[0][i] = r; planes[1][i] = g; planes[2][i] = b;
      planes[3][i] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
  }
  return { planes, w, h };
}

const PCA_SAT = { satLow: 0, satHigh: 255 };

/** Noise std of an 8-bit photo in 8-bit units (mean over R, G, B), from a full-resolution centre crop. */
export function estimateNoiseSigma(img: RGBAImage): number {
  const { planes, w, h } = centreCropPlanes(img);
  return estimateNoisePCA(planes.slice(0, 3).map((plane) => ({ plane, width: w, height: h, x0: 0, y0: 0, w, h })), { ...PCA_SAT, maxPatches: 45000 });
}

export function measurePhoto(img: RGBAImage): Measurements {
  const { width, height } = img;
  const { planes, w, h } = centreCropPlanes(img);
  const sampler = (plane: Float32Array): PatchSampler => ({ plane, width: w, height: h, x0: 0, y0: 0, w, h });
  const sat = PCA_SAT;
  const noiseSigma = estimateNoisePCA([0, 1, 2].map((c) => sampler(planes[c])), { ...sat, maxPatches: 45000 });
  const lumaNoiseSigma = estimateNoisePCA([sampler(planes[3])], { ...sat, maxPatches: 20000 });
  const luma = planes[3];
  for (let i = 0; i < luma.length; i++) luma[i] /= 255;
  const blur = estimateBlur(luma, w, h, lumaNoiseSigma / 255);

  // Colour statistics on a thumbnail.
  const thumb = thumbnailPlanar(img, THUMB);
  const n = thumb.width * thumb.height;
  const channelMeans: [number, number, number] = [0, 0, 0];
  const channelP1: [number, number, number] = [0, 0, 0];
  const channelP99: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += thumb.data[c * n + i];
    channelMeans[c] = s / n;
    [channelP1[c], channelP99[c]] = percentiles(thumb.data, c * n, n, [0.01, 0.99]);
  }
  const tl = planarLuma(thumb);
  const [lumaP1, lumaP99] = percentiles(tl.data, 0, n, [0.01, 0.99]);
  // Lab statistics on at most ~65k pixels.
  const step = Math.max(1, Math.floor(n / 65536));
  let sa = 0, sb = 0, sc = 0, cnt = 0;
  const as: number[] = [], bs: number[] = [];
  for (let i = 0; i < n; i += step) {
    const [, a, b] = srgbToLab(thumb.data[i], thumb.data[n + i], thumb.data[2 * n + i]);
    sa += a; sb += b; sc += Math.hypot(a, b); cnt++;
    as.push(a); bs.push(b);
  }
  const meanA = sa / cnt, meanB = sb / cnt, meanChroma = sc / cnt;
  const cast = Math.hypot(meanA, meanB);
  // Spread perpendicular to the mean hue direction (RMS).
  const ux = cast > 1e-6 ? meanA / cast : 1, uy = cast > 1e-6 ? meanB / cast : 0;
  let perp = 0;
  for (let k = 0; k < as.length; k++) perp += (-(as[k] - meanA) * uy + (bs[k] - meanB) * ux) ** 2;
  const hueSpread = Math.sqrt(perp / as.length);
  const monochrome = meanChroma < 2.5;
  const hue = (Math.atan2(meanB, meanA) * 180) / Math.PI;
  const sepia = !monochrome && cast > 4 && cast < 35 && hueSpread < 3 && hue > 35 && hue < 110;

  return {
    width, height,
    megapixels: (width * height) / 1e6,
    shortSide: Math.min(width, height),
    noiseSigma, lumaNoiseSigma,
    blurRadiusEstimate: blur.blurSigma,
    sharpness: blur.laplacianVarianceNorm,
    channelMeans, channelP1, channelP99,
    lumaP1, lumaP99, dynamicRange: lumaP99 - lumaP1,
    meanA, meanB, cast, meanChroma, hueSpread, monochrome, sepia,
  };
}





function resolutionVerdict(m: Measurements): DefectVerdict {
  const mp = `${m.width}x${m.height} px (${Math.round(m.megapixels * 100) / 100} MP)`;
  if (m.shortSide >= 300) return { defect: 'resolution', severity: 0, verdict: 'none', reason: `Resolution is adequate: ${mp}.` };
  return {
    defect: 'resolution', severity: clamp01(1 - m.shortSide / 300), verdict: 'partly-fixable',
    reason: `Low resolution: ${mp}, short side ${m.shortSide} px. Restoring keeps this size (enlarging is not offered), and detail that was never captured cannot be invented.`,
  };
}

/** A stage's verdicts from the classical measurements alone (a StageImpl's `judge`). */
export interface ClassicalJudge {
  judge?(m: Measurements): DefectVerdict[];
}

/** How the report lists defects, whichever stage judged them (unknown kinds last, in the order given). */
export const DEFECT_ORDER: readonly string[] = ['colour', 'fading', 'noise', 'blur', 'resolution', 'damage'];

export function inDefectOrder(report: AnalysisReport): AnalysisReport {
  const rank = (d: DefectVerdict) => (DEFECT_ORDER.includes(d.defect) ? DEFECT_ORDER.indexOf(d.defect) : DEFECT_ORDER.length);
  return { ...report, defects: [...report.defects].sort((a, b) => rank(a) - rank(b)) };
}

/**
 * Measures a photo and judges it: the resolution here, every other defect by the stage that repairs
 * it (`stages`, each one's `judge`, from the measurements alone; the service then adds what each
 * stage's models say, through its `analyse`).
 */
export function analyzePhoto(img: RGBAImage, stages: readonly ClassicalJudge[] = []): AnalysisReport {
  const measurements = measurePhoto(img);
  const defects = [...stages.flatMap((s) => s.judge?.(measurements) ?? []), resolutionVerdict(measurements)];
  return inDefectOrder({ measurements, defects });
}

/**
 * Stages to run, one per stage the verdicts name, listed in `order` (the pipeline's: the stage
 * registry's ids) or, without it, in the order the verdicts name them. Defects that map to the same
 * stage (colour cast and fading) merge into one, at the larger strength. A clean photo gets [].
 */
export function proposeStages(report: AnalysisReport, order?: readonly string[]): ProposedStage[] {
  const byStage = new Map<string, ProposedStage>();
  for (const d of report.defects) {
    if (d.verdict === 'none' || !d.proposedStage) continue;
    const strength = d.suggestedStrength ?? 0.5;
    const prev = byStage.get(d.proposedStage);
    if (!prev) byStage.set(d.proposedStage, { stage: d.proposedStage, strength, why: d.reason });
    else byStage.set(d.proposedStage, { stage: d.proposedStage, strength: Math.max(prev.strength, strength), why: `${prev.why} ${d.reason}` });
  }
  const proposals = [...byStage.values()];
  return order ? proposals.sort((a, b) => rank(order, a.stage) - rank(order, b.stage)) : proposals;
}

/** Position in `order`; a stage it does not list goes last. */
const rank = (order: readonly string[], id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
