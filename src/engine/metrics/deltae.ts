/**
 * Colour difference: sRGB -> CIELAB (D65) and CIEDE2000 (Sharma, Wu & Dalal 2005
 * formulation, kL = kC = kH = 1). Used to score colour restoration, where PSNR is
 * dominated by luminance and says little about casts.
 */
import type { PlanarImage } from '../image.ts';

export type Lab = [number, number, number];

const XN = 0.95047, YN = 1.0, ZN = 1.08883;

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

/** sRGB components in [0, 1] (clipped) -> CIELAB, D65 white, IEC 61966-2-1 matrix. */
export function srgbToLab(r: number, g: number, b: number): Lab {
  const R = srgbToLinear(Math.min(1, Math.max(0, r)));
  const G = srgbToLinear(Math.min(1, Math.max(0, g)));
  const B = srgbToLinear(Math.min(1, Math.max(0, b)));
  const X = 0.4124564 * R + 0.3575761 * G + 0.1804375 * B;
  const Y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const Z = 0.0193339 * R + 0.119192 * G + 0.9503041 * B;
  const fx = labF(X / XN), fy = labF(Y / YN), fz = labF(Z / ZN);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const DEG = Math.PI / 180;

/** CIEDE2000 colour difference between two Lab colours. */
export function ciede2000(lab1: Lab, lab2: Lab): number {
  const [L1, a1, b1] = lab1;
  const [L2, a2, b2] = lab2;
  const C1 = Math.hypot(a1, b1), C2 = Math.hypot(a2, b2);
  const Cbar = (C1 + C2) / 2;
  const Cbar7 = Cbar ** 7;
  const G = 0.5 * (1 - Math.sqrt(Cbar7 / (Cbar7 + 25 ** 7)));
  const a1p = (1 + G) * a1, a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1), C2p = Math.hypot(a2p, b2);
  const hue = (b: number, a: number) => {
    if (a === 0 && b === 0) return 0;
    const h = Math.atan2(b, a) / DEG;
    return h < 0 ? h + 360 : h;
  };
  const h1p = hue(b1, a1p), h2p = hue(b2, a2p);

  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * DEG);

  const Lbp = (L1 + L2) / 2;
  const Cbp = (C1p + C2p) / 2;
  let hbp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) hbp = (h1p + h2p) / 2;
    else hbp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  }
  const T = 1 - 0.17 * Math.cos((hbp - 30) * DEG) + 0.24 * Math.cos(2 * hbp * DEG)
    + 0.32 * Math.cos((3 * hbp + 6) * DEG) - 0.2 * Math.cos((4 * hbp - 63) * DEG);
  const dTheta = 30 * Math.exp(-(((hbp - 275) / 25) ** 2));
  const Cbp7 = Cbp ** 7;
  const RC = 2 * Math.sqrt(Cbp7 / (Cbp7 + 25 ** 7));
  const l50 = (Lbp - 50) ** 2;
  const SL = 1 + (0.015 * l50) / Math.sqrt(20 + l50);
  const SC = 1 + 0.045 * Cbp;
  const SH = 1 + 0.015 * Cbp * T;
  const RT = -Math.sin(2 * dTheta * DEG) * RC;
  const tl = dLp / SL, tc = dCp / SC, th = dHp / SH;
  return Math.sqrt(tl * tl + tc * tc + th * th + RT * tc * th);
}

/** Mean CIEDE2000 over all pixels of two planar sRGB images in [0, 1]. */
export function meanDeltaE00(a: PlanarImage, b: PlanarImage): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== 3 || b.channels !== 3) {
    throw new Error('meanDeltaE00 needs two RGB images of the same size');
  }
  const n = a.width * a.height;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const l1 = srgbToLab(a.data[i], a.data[n + i], a.data[2 * n + i]);
    const l2 = srgbToLab(b.data[i], b.data[n + i], b.data[2 * n + i]);
    sum += ciede2000(l1, l2);
  }
  return sum / n;
}
