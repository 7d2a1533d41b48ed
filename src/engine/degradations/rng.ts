/**
 * Portable counter-based RNG, a bit-for-bit port of `CounterRNG` in
 * training/heirloom_train/data/degradations.py (see that module's docstring).
 * Counter-based so every value is a pure function of (seed, stream, index): the
 * TypeScript engine and the Python evaluation generate identical noise without
 * sharing state, and any element can be produced independently (tiles, workers).
 */

/** lowbias32 integer hash (uint32 in, uint32 out). */
export function lowbias32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** key(seed, stream) of the docstring. */
export function counterKey(seed: number, stream = 0): number {
  const a = lowbias32((seed ^ 0x9e3779b9) >>> 0);
  const b = lowbias32((stream + 0x85ebca6b) >>> 0);
  return lowbias32((a ^ b) >>> 0);
}

const INV_2_32 = 1 / 4294967296;
const TWO_PI = 2 * Math.PI;

export class CounterRNG {
  readonly seed: number;
  readonly stream: number;
  readonly key: number;
  /** Next unused counter. */
  offset = 0;

  constructor(seed = 0, stream = 0) {
    this.seed = seed >>> 0;
    this.stream = stream >>> 0;
    this.key = counterKey(this.seed, this.stream);
  }

  /** u32 at an absolute counter (does not advance). */
  u32At(i: number): number {
    return lowbias32((lowbias32(i >>> 0) ^ this.key) >>> 0);
  }

  /** Uniform in (0, 1) at an absolute counter (does not advance). */
  uniformAt(i: number): number {
    return (this.u32At(i) + 0.5) * INV_2_32;
  }

  /** Next `n` uniforms (float64), consuming n counters. */
  uniform(n: number): Float64Array {
    const out = new Float64Array(n);
    const o = this.offset;
    for (let k = 0; k < n; k++) out[k] = (this.u32At(o + k) + 0.5) * INV_2_32;
    this.offset = o + n;
    return out;
  }

  /** Next single uniform (Python `rng.uniform()` with shape ()). */
  uniform1(): number {
    return this.uniformAt(this.offset++);
  }

  /** Next `n` standard normals (Box-Muller, cos branch), consuming 2n counters. */
  normal(n: number): Float64Array {
    const out = new Float64Array(n);
    const o = this.offset;
    for (let j = 0; j < n; j++) {
      const u0 = (this.u32At(o + 2 * j) + 0.5) * INV_2_32;
      const u1 = (this.u32At(o + 2 * j + 1) + 0.5) * INV_2_32;
      out[j] = Math.sqrt(-2.0 * Math.log(u0)) * Math.cos(TWO_PI * u1);
    }
    this.offset = o + 2 * n;
    return out;
  }

  /** Child generator: the parent key becomes the seed, `stream` the stream; starts at counter 0. */
  fork(stream: number): CounterRNG {
    return new CounterRNG(this.key, stream);
  }
}
