/** Pure pixel work for exports. */
import type { RGBAImage } from '../../engine/image.ts';

/** Before (left) and after (right), top-aligned, with a white gap between them. */
export function sideBySide(before: RGBAImage, after: RGBAImage, gap = Math.max(4, Math.round(Math.max(before.width, after.width) / 100))): RGBAImage {
  const width = before.width + gap + after.width;
  const height = Math.max(before.height, after.height);
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const paste = (img: RGBAImage, x0: number) => {
    for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), (y * width + x0) * 4);
  };
  paste(before, 0);
  paste(after, before.width + gap);
  return { width, height, data };
}

/** "grandma 1962.jpg" -> "grandma 1962" */
export function baseName(name: string): string {
  const stem = name.replace(/\.[a-z0-9]{1,5}$/i, '').trim();
  return stem.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_') || 'photo';
}
