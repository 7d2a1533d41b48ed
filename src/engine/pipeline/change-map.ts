import type { RGBAImage } from '../image.ts';

/**
 * Per-pixel change between two images: the largest absolute channel difference,
 * 0..255. The review step turns it into regions ("where did this stage act?").
 */
export function changeMap(before: RGBAImage, after: RGBAImage): Uint8Array {
  if (before.width !== after.width || before.height !== after.height) {
    throw new Error('changeMap: images differ in size');
  }
  const n = before.width * before.height;
  const out = new Uint8Array(n);
  const a = before.data, b = after.data;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const dr = Math.abs(a[p] - b[p]);
    const dg = Math.abs(a[p + 1] - b[p + 1]);
    const db = Math.abs(a[p + 2] - b[p + 2]);
    out[i] = dr > dg ? (dr > db ? dr : db) : dg > db ? dg : db;
  }
  return out;
}

/** Share of the pixels a stage changed by more than 2/255 (its change map's entries over 2). */
export function changedShare(map: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < map.length; i++) if (map[i] > 2) n++;
  return map.length ? n / map.length : 0;
}
