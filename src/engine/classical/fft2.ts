/**
 * Two-dimensional FFTs on power-of-two grids, over fft.js (a small, fast radix-4 1-D FFT; a
 * solved problem we do not hand-write). Spectra are complex, interleaved (re, im), row-major.
 * Callers pad their planes to `nextPow2` sizes themselves: how to pad (mirror for deconvolution,
 * zeros for windowed or sparse signals) is theirs to choose.
 */
import FFT from 'fft.js';

export interface Spectrum {
  width: number;
  height: number;
  /** 2 * width * height floats: re, im per frequency, row-major. */
  data: Float64Array;
}

const plans = new Map<number, FFT>();
function plan(n: number): FFT {
  let p = plans.get(n);
  if (!p) plans.set(n, (p = new FFT(n)));
  return p;
}

/** The smallest power of two >= n (at least 2: fft.js needs a size above 1). */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

function checkSize(width: number, height: number) {
  if (width < 2 || height < 2 || width & (width - 1) || height & (height - 1)) {
    throw new Error(`FFT grids must be powers of two, got ${width} x ${height}`);
  }
}

/** Transforms every column of an interleaved complex grid in place. */
function columns(data: Float64Array, width: number, height: number, inverse: boolean) {
  const p = plan(height);
  const col = new Float64Array(2 * height), out = new Float64Array(2 * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      col[2 * y] = data[2 * (y * width + x)];
      col[2 * y + 1] = data[2 * (y * width + x) + 1];
    }
    if (inverse) p.inverseTransform(out, col);
    else p.transform(out, col);
    for (let y = 0; y < height; y++) {
      data[2 * (y * width + x)] = out[2 * y];
      data[2 * (y * width + x) + 1] = out[2 * y + 1];
    }
  }
}

/** The spectrum of a real width x height plane (row-major). */
export function fft2(plane: ArrayLike<number>, width: number, height: number): Spectrum {
  checkSize(width, height);
  const p = plan(width);
  const data = new Float64Array(2 * width * height);
  const row = new Float64Array(width), out = new Float64Array(2 * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) row[x] = plane[y * width + x];
    p.realTransform(out, row);
    p.completeSpectrum(out);
    data.set(out, 2 * y * width);
  }
  columns(data, width, height, false);
  return { width, height, data };
}

/** The real part of the inverse transform of a spectrum (consumed: transformed in place). */
export function ifft2Real(spec: Spectrum): Float64Array {
  const { width, height, data } = spec;
  checkSize(width, height);
  columns(data, width, height, true);
  const p = plan(width);
  const row = new Float64Array(2 * width), out = new Float64Array(2 * width);
  const result = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    row.set(data.subarray(2 * y * width, 2 * (y + 1) * width));
    p.inverseTransform(out, row);
    for (let x = 0; x < width; x++) result[y * width + x] = out[2 * x];
  }
  return result;
}

/** Signed frequency of index i on an n-point grid, cycles per sample (numpy's fftfreq). */
export function fftFreq(i: number, n: number): number {
  return (i < (n + 1) >> 1 ? i : i - n) / n;
}
