/**
 * Image containers used across the engine.
 *
 * - `RGBAImage` is the 8-bit, ImageData-compatible form photos arrive and leave in
 *   (decoded file, stage outputs, exports). It is the cheap full-resolution copy.
 * - `PlanarImage` is float, channel-planar (CHW), values nominally in [0, 1] but
 *   allowed outside (unclipped noise in the evaluation protocol). Models and
 *   classical filters work on it, normally one *tile* at a time, so that a
 *   24-megapixel photo never exists as several full-resolution float copies.
 */
export interface RGBAImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA, row-major. */
  data: Uint8ClampedArray;
}

export interface PlanarImage {
  width: number;
  height: number;
  channels: number;
  /** channels * height * width floats, plane after plane. */
  data: Float32Array;
}

export function createRGBA(width: number, height: number): RGBAImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

export function createPlanar(width: number, height: number, channels = 3): PlanarImage {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

/** `img` mirrored left-right (bit 0 of `view`) and/or top-bottom (bit 1); its own inverse. */
export function mirrorPlanar(img: PlanarImage, view: number): PlanarImage {
  const { width: w, height: h, channels } = img;
  if (!view) return img;
  const out = createPlanar(w, h, channels);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const sy = view & 2 ? h - 1 - y : y;
      const src = c * w * h + sy * w, dst = c * w * h + y * w;
      if (view & 1) for (let x = 0; x < w; x++) out.data[dst + x] = img.data[src + w - 1 - x];
      else out.data.set(img.data.subarray(src, src + w), dst);
    }
  }
  return out;
}

export function clonePlanar(img: PlanarImage): PlanarImage {
  return { ...img, data: img.data.slice() };
}

export function cloneRGBA(img: RGBAImage): RGBAImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Full RGBA -> planar RGB float in [0, 1] (alpha dropped). */
export function rgbaToPlanar(img: RGBAImage): PlanarImage {
  const { width, height, data } = img;
  const n = width * height;
  const out = createPlanar(width, height, 3);
  const o = out.data;
  for (let i = 0; i < n; i++) {
    o[i] = data[i * 4] / 255;
    o[n + i] = data[i * 4 + 1] / 255;
    o[2 * n + i] = data[i * 4 + 2] / 255;
  }
  return out;
}

/** Planar RGB float -> RGBA, rounding and clipping to 8 bits; alpha taken from `alphaFrom` or 255. */
export function planarToRGBA(img: PlanarImage, alphaFrom?: RGBAImage): RGBAImage {
  const { width, height, data } = img;
  const n = width * height;
  const out = createRGBA(width, height);
  const o = out.data;
  const grey = img.channels === 1;
  for (let i = 0; i < n; i++) {
    // Uint8ClampedArray rounds half to even and clips; add nothing else.
    o[i * 4] = data[i] * 255;
    o[i * 4 + 1] = data[grey ? i : n + i] * 255;
    o[i * 4 + 2] = data[grey ? i : 2 * n + i] * 255;
    o[i * 4 + 3] = alphaFrom ? alphaFrom.data[i * 4 + 3] : 255;
  }
  return out;
}

/** Luma (Rec. 601) of a planar RGB image, as a one-channel planar image. */
export function planarLuma(img: PlanarImage): PlanarImage {
  const n = img.width * img.height;
  const out = createPlanar(img.width, img.height, 1);
  if (img.channels === 1) {
    out.data.set(img.data.subarray(0, n));
    return out;
  }
  const d = img.data;
  for (let i = 0; i < n; i++) out.data[i] = 0.299 * d[i] + 0.587 * d[n + i] + 0.114 * d[2 * n + i];
  return out;
}

/** A rectangle in photo pixels, inclusive-exclusive. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Copies a rectangle out of an 8-bit photo (it must lie inside). */
export function cropRGBA(img: RGBAImage, x: number, y: number, w: number, h: number): RGBAImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) data.set(img.data.subarray(((y + r) * img.width + x) * 4, ((y + r) * img.width + x + w) * 4), r * w * 4);
  return { width: w, height: h, data };
}

/** Copies a rectangle out of a planar image (no bounds padding: the rectangle must lie inside). */
export function cropPlanar(img: PlanarImage, x: number, y: number, w: number, h: number): PlanarImage {
  const out = createPlanar(w, h, img.channels);
  for (let c = 0; c < img.channels; c++) {
    for (let r = 0; r < h; r++) {
      const src = c * img.width * img.height + (y + r) * img.width + x;
      out.data.set(img.data.subarray(src, src + w), c * w * h + r * w);
    }
  }
  return out;
}

/**
 * One axis of a bilinear enlargement by the whole factor `f`, pixel centres aligned (a small pixel covers
 * `f` photo pixels from the start; past the last whole block the last small pixel is read): for each of
 * the `size` photo positions, the two small-image indices (`n` of them) it lies between and its weight
 * on the second.
 */
export function enlargeAxis(size: number, n: number, f: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } {
  const lo = new Int32Array(size), hi = new Int32Array(size), t = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const u = Math.min(n - 1, Math.max(0, (x + 0.5) / f - 0.5));
    lo[x] = Math.floor(u);
    hi[x] = Math.min(n - 1, lo[x] + 1);
    t[x] = u - lo[x];
  }
  return { lo, hi, t };
}

/** Downscales by an integer box filter so the long side is at most `maxSide` (for analysis thumbnails). */
export function thumbnailPlanar(img: RGBAImage, maxSide: number): PlanarImage {
  return shrinkPlanar(img, Math.max(1, Math.ceil(Math.max(img.width, img.height) / maxSide)));
}

/** Downscales by the whole factor `f` with a box filter; a last partial block of rows or columns is dropped. */
export function shrinkPlanar(img: RGBAImage, f: number): PlanarImage {
  const w = Math.max(1, Math.floor(img.width / f));
  const h = Math.max(1, Math.floor(img.height / f));
  const out = createPlanar(w, h, 3);
  const n = w * h;
  const inv = 1 / (f * f * 255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < f; dy++) {
        let p = ((y * f + dy) * img.width + x * f) * 4;
        for (let dx = 0; dx < f; dx++, p += 4) {
          r += img.data[p]; g += img.data[p + 1]; b += img.data[p + 2];
        }
      }
      const i = y * w + x;
      out.data[i] = r * inv; out.data[n + i] = g * inv; out.data[2 * n + i] = b * inv;
    }
  }
  return out;
}

/** a + weight * (b - a) per colour channel, rounded, alpha from a; in place on b (as `blendInto`), so a full-resolution mix costs no third copy. */
export function mixRGBA(a: RGBAImage, b: RGBAImage, weight: number): RGBAImage {
  for (let i = 0; i < a.data.length; i++) b.data[i] = (i & 3) === 3 ? a.data[i] : a.data[i] + weight * (b.data[i] - a.data[i]);
  return b;
}

/** a + strength * (b - a), in place on b: how every strength-driven classical stage applies its strength. */
export function blendInto(a: PlanarImage, b: PlanarImage, strength: number): PlanarImage {
  if (strength >= 1) return b;
  for (let i = 0; i < b.data.length; i++) b.data[i] = a.data[i] + strength * (b.data[i] - a.data[i]);
  return b;
}
