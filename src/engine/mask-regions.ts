/** Connected regions of a mask (8-connectivity), for per-region fills and the review's region list. */
export interface MaskRegion {
  /** Bounding box, inclusive-exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
  /** This region's value in `labels`, when maskRegions was given one. */
  label: number;
}

/**
 * Connected regions, largest first. With `labels` (width*height), every pixel of a
 * region gets that region's `label` (1-based), so callers can cut out its exact shape.
 */
export function maskRegions(mask: Uint8Array, width: number, height: number, labels?: Int32Array): MaskRegion[] {
  const seen = labels ?? new Int32Array(width * height);
  const regions: MaskRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const r: MaskRegion = { x0: width, y0: height, x1: 0, y1: 0, pixels: 0, label: regions.length + 1 };
    seen[start] = r.label;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width, y = (p - x) / width;
      r.pixels++;
      if (x < r.x0) r.x0 = x;
      if (y < r.y0) r.y0 = y;
      if (x + 1 > r.x1) r.x1 = x + 1;
      if (y + 1 > r.y1) r.y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = r.label;
            stack.push(q);
          }
        }
      }
    }
    regions.push(r);
  }
  return regions.sort((a, b) => b.pixels - a.pixels);
}
