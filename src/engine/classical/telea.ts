/**
 * Inpainting by the fast marching method of Telea (2004), "An image inpainting
 * technique based on the fast marching method". The hole is filled from its boundary
 * inwards in order of distance T (eikonal equation solved by fast marching); each new
 * pixel is a weighted average of already known pixels within `radius`, with weights
 *   direction  |<p - q, grad T(p)>| / |p - q|  (prefer pixels along the marching direction),
 *   distance   1 / |p - q|^2,
 *   level set  1 / (1 + |T(q) - T(p)|)          (prefer pixels from the same front).
 * Telea also extrapolates each neighbour with its gradient (first-order Taylor). That term
 * is left out, as OpenCV in effect does (it normalises it to under one level): next to a
 * scratch the known pixels carry its soft edge, their gradients point at the scratch, and
 * extrapolating them over up to `radius` px brought it back (leaving it out gains several dB
 * inside the mask on the CBSD68 damage sets: docs/models/fill.md).
 * Pixels outside the mask are never written. Not tile-local (a hole is filled from its
 * whole boundary): run it on the whole image or on crops around each hole.
 */
import { clonePlanar, type PlanarImage } from '../image.ts';

const KNOWN = 0, BAND = 1, INSIDE = 2;

/** Binary min-heap of (T, index) with lazy deletion. */
class MinHeap {
  private t: number[] = [];
  private idx: number[] = [];
  get size(): number { return this.t.length; }
  push(t: number, i: number): void {
    const a = this.t, b = this.idx;
    let k = a.length;
    a.push(t); b.push(i);
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (a[p] <= t) break;
      a[k] = a[p]; b[k] = b[p];
      k = p;
    }
    a[k] = t; b[k] = i;
  }
  pop(): number {
    const a = this.t, b = this.idx;
    const top = b[0];
    const lt = a.pop()!, li = b.pop()!;
    const n = a.length;
    if (n > 0) {
      let k = 0;
      for (;;) {
        let c = 2 * k + 1;
        if (c >= n) break;
        if (c + 1 < n && a[c + 1] < a[c]) c++;
        if (a[c] >= lt) break;
        a[k] = a[c]; b[k] = b[c];
        k = c;
      }
      a[k] = lt; b[k] = li;
    }
    return top;
  }
}

/**
 * Fills the pixels where `mask` is 1 (one byte per pixel, row-major). `radius` is the
 * neighbourhood used for each estimate. An empty mask returns a copy; a mask that covers
 * the whole image has nothing to propagate from and also returns an unchanged copy.
 */
export function inpaintTelea(img: PlanarImage, mask: Uint8Array, radius = 5): PlanarImage {
  const { width: W, height: H, channels: C } = img;
  const n = W * H;
  if (mask.length !== n) throw new Error(`Mask has ${mask.length} entries, expected ${n}`);
  const out = clonePlanar(img);
  const d = out.data;
  const flag = new Uint8Array(n);
  const T = new Float64Array(n);
  let holes = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i]) { flag[i] = INSIDE; T[i] = 1e6; holes++; }
  }
  if (holes === 0 || holes === n) return out;

  const heap = new MinHeap();
  // Initial band: known pixels with a 4-neighbour in the hole.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (flag[i] !== KNOWN) continue;
      if ((x > 0 && flag[i - 1] === INSIDE) || (x < W - 1 && flag[i + 1] === INSIDE)
        || (y > 0 && flag[i - W] === INSIDE) || (y < H - 1 && flag[i + W] === INSIDE)) {
        flag[i] = BAND;
        heap.push(0, i);
      }
    }
  }

  const known = (x: number, y: number) => x >= 0 && y >= 0 && x < W && y < H && flag[y * W + x] !== INSIDE;

  /** Upwind solution of |grad T| = 1 from one x- and one y-neighbour. */
  const solve = (x1: number, y1: number, x2: number, y2: number): number => {
    const k1 = known(x1, y1), k2 = known(x2, y2);
    if (!k1 && !k2) return 1e6;
    if (!k1) return T[y2 * W + x2] + 1;
    if (!k2) return T[y1 * W + x1] + 1;
    const a = T[y1 * W + x1], b = T[y2 * W + x2];
    if (Math.abs(a - b) >= 1) return Math.min(a, b) + 1;
    return (a + b + Math.sqrt(2 - (a - b) * (a - b))) / 2;
  };

  /** Central (or one-sided) difference of f over known pixels along one axis; 0 if none. */
  const diff = (x: number, y: number, dx: number, dy: number, f: (j: number) => number): number => {
    const i = y * W + x;
    const fw = known(x + dx, y + dy), bw = known(x - dx, y - dy);
    if (fw && bw) return (f(i + dy * W + dx) - f(i - dy * W - dx)) / 2;
    if (fw) return f(i + dy * W + dx) - f(i);
    if (bw) return f(i) - f(i - dy * W - dx);
    return 0;
  };
  const tAt = (j: number) => T[j];
  const r2max = radius * radius;
  const sum = new Float64Array(C);

  const inpaintPixel = (x: number, y: number) => {
    const i = y * W + x;
    const gtx = diff(x, y, 1, 0, tAt), gty = diff(x, y, 0, 1, tAt);
    sum.fill(0);
    let wSum = 0;
    const y0 = Math.max(0, y - radius), y1 = Math.min(H - 1, y + radius);
    const x0 = Math.max(0, x - radius), x1 = Math.min(W - 1, x + radius);
    for (let qy = y0; qy <= y1; qy++) {
      for (let qx = x0; qx <= x1; qx++) {
        const j = qy * W + qx;
        if (flag[j] === INSIDE) continue;
        const rx = x - qx, ry = y - qy;
        const r2 = rx * rx + ry * ry;
        if (r2 > r2max) continue;
        const len = Math.sqrt(r2);
        const dir = Math.max(Math.abs(rx * gtx + ry * gty) / len, 1e-6);
        const lev = 1 / (1 + Math.abs(T[j] - T[i]));
        const w = (dir * lev) / r2;
        wSum += w;
        for (let c = 0; c < C; c++) sum[c] += w * d[c * n + j];
      }
    }
    if (wSum > 0) for (let c = 0; c < C; c++) d[c * n + i] = sum[c] / wSum;
  };

  while (heap.size > 0) {
    const i = heap.pop();
    if (flag[i] === KNOWN) continue; // stale entry
    flag[i] = KNOWN;
    const x = i % W, y = (i - x) / W;
    const nbrs = [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]];
    for (const [nx, ny] of nbrs) {
      if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
      const j = ny * W + nx;
      if (flag[j] !== INSIDE) continue;
      T[j] = Math.min(
        solve(nx - 1, ny, nx, ny - 1), solve(nx + 1, ny, nx, ny - 1),
        solve(nx - 1, ny, nx, ny + 1), solve(nx + 1, ny, nx, ny + 1),
      );
      inpaintPixel(nx, ny); // still INSIDE here: its stale value must not enter neighbours' gradients
      flag[j] = BAND;
      heap.push(T[j], j);
    }
  }
  return out;
}
