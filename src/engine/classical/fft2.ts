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

/**
 * A real plane's spectrum is Hermitian (F[v][W - u] = conj F[(H - v) % H][u]), so both transforms
 * work on the columns u = 0 .. W/2 alone and mirror the rest: about half the column work. Columns are
 * held transposed (`half`: one contiguous run of 2H floats per column) so each 1-D FFT reads and
 * writes contiguous memory, and rows and columns move between the layouts BLOCK at a time, so that
 * each pass over memory touches neighbouring floats.
 */
const BLOCK = 8;

function halfColumns(width: number, height: number): Float64Array {
  return new Float64Array(2 * height * (width / 2 + 1));
}

/** The spectrum of a real width x height plane (row-major). */
export function fft2(plane: ArrayLike<number>, width: number, height: number): Spectrum {
  checkSize(width, height);
  const rowPlan = plan(width), colPlan = plan(height), cols = width / 2 + 1;
  const half = halfColumns(width, height);
  const row = new Float64Array(width), rows = new Float64Array(BLOCK * 2 * width);
  for (let y0 = 0; y0 < height; y0 += BLOCK) {
    const nb = Math.min(BLOCK, height - y0);
    for (let r = 0; r < nb; r++) {
      const y = y0 + r;
      if (plane instanceof Float64Array) row.set(plane.subarray(y * width, (y + 1) * width));
      else for (let x = 0; x < width; x++) row[x] = plane[y * width + x];
      const slot = rows.subarray(2 * r * width, 2 * (r + 1) * width);
      // A zero row's spectrum is zero: padded planes and a kernel's grid are mostly such rows.
      if (row.every((v) => v === 0)) slot.fill(0);
      // fills the bins 0 .. W/2, which are all the columns need
      else rowPlan.realTransform(slot, row);
    }
    for (let u = 0; u < cols; u++) {
      const base = 2 * (u * height + y0);
      for (let r = 0; r < nb; r++) {
        half[base + 2 * r] = rows[2 * (r * width + u)];
        half[base + 2 * r + 1] = rows[2 * (r * width + u) + 1];
      }
    }
  }
  const done = new Float64Array(BLOCK * 2 * height);
  const data = new Float64Array(2 * width * height);
  for (let u0 = 0; u0 < cols; u0 += BLOCK) {
    const nb = Math.min(BLOCK, cols - u0);
    for (let k = 0; k < nb; k++) {
      const u = u0 + k;
      colPlan.transform(done.subarray(2 * k * height, 2 * (k + 1) * height), half.subarray(2 * u * height, 2 * (u + 1) * height));
    }
    for (let v = 0; v < height; v++) {
      const mirrorRow = ((height - v) % height) * width;
      for (let k = 0; k < nb; k++) {
        const u = u0 + k, re = done[2 * (k * height + v)], im = done[2 * (k * height + v) + 1];
        data[2 * (v * width + u)] = re;
        data[2 * (v * width + u) + 1] = im;
        if (u > 0 && u < width / 2) {
          const m = 2 * (mirrorRow + width - u);
          data[m] = re;
          data[m + 1] = -im;
        }
      }
    }
  }
  return { width, height, data };
}

/** Rows from .. to - 1 of a plane. */
export interface RowRange {
  from: number;
  to: number;
}

/**
 * The real part of the inverse transform of a spectrum (read only). The columns u = 0 .. W/2 are
 * inverted and each row's spectrum completed as Hermitian; two rows then go through one complex
 * inverse FFT (row a as the real part, row b as the imaginary). Given `rows`, only the row pairs
 * that meet them are transformed (the rest of the result stays 0): a caller that keeps a crop or a
 * kernel's few rows skips the rest of the second pass.
 */
export function ifft2Real(spec: Spectrum, rows?: RowRange[]): Float64Array {
  const { width, height, data } = spec;
  checkSize(width, height);
  const rowPlan = plan(width), colPlan = plan(height), cols = width / 2 + 1;
  const half = halfColumns(width, height);
  const gathered = new Float64Array(BLOCK * 2 * height);
  for (let u0 = 0; u0 < cols; u0 += BLOCK) {
    const nb = Math.min(BLOCK, cols - u0);
    for (let v = 0; v < height; v++) {
      for (let k = 0; k < nb; k++) {
        gathered[2 * (k * height + v)] = data[2 * (v * width + u0 + k)];
        gathered[2 * (k * height + v) + 1] = data[2 * (v * width + u0 + k) + 1];
      }
    }
    for (let k = 0; k < nb; k++) {
      const u = u0 + k;
      colPlan.inverseTransform(half.subarray(2 * u * height, 2 * (u + 1) * height), gathered.subarray(2 * k * height, 2 * (k + 1) * height));
    }
  }
  const z = new Float64Array(2 * width), out = new Float64Array(2 * width);
  const result = new Float64Array(width * height);
  for (let y = 0; y < height; y += 2) {
    if (rows && !rows.some((r) => r.from < y + 2 && r.to > y)) continue;
    for (let u = 0; u < cols; u++) {
      const a = 2 * (u * height + y), b = a + 2;
      // the real rows' spectra at u: A = half[a] + i half[a+1], B likewise; DC and Nyquist are real
      const edge = u === 0 || u === width / 2;
      const ar = half[a], ai = edge ? 0 : half[a + 1], br = half[b], bi = edge ? 0 : half[b + 1];
      z[2 * u] = ar - bi;
      z[2 * u + 1] = ai + br;
      if (!edge) {
        // A(W - u) = conj A(u), B likewise: Z(W - u) = conj A + i conj B
        z[2 * (width - u)] = ar + bi;
        z[2 * (width - u) + 1] = br - ai;
      }
    }
    rowPlan.inverseTransform(out, z);
    for (let x = 0; x < width; x++) {
      result[y * width + x] = out[2 * x];
      result[(y + 1) * width + x] = out[2 * x + 1];
    }
  }
  return result;
}

/** Signed frequency of index i on an n-point grid, cycles per sample (numpy's fftfreq). */
export function fftFreq(i: number, n: number): number {
  return (i < (n + 1) >> 1 ? i : i - n) / n;
}
