/**
 * Turns a file the user gave us into an RGBAImage, with a clear message for
 * everything that can go wrong: the header is checked first (empty, unknown
 * format, truncated, decompression bomb), then the browser decodes it with the
 * EXIF orientation applied.
 */
import type { RGBAImage } from '../engine/image.ts';
import { ImageInputError, sniffImage, type SniffResult } from '../engine/io/sniff.ts';

export interface DecodedPhoto {
  name: string;
  image: RGBAImage;
  sniff: SniffResult;
  /** The file's bytes as read (kept by the app: export copies the original's metadata from them). */
  bytes: Uint8Array;
}

export async function decodePhoto(file: Blob & { name?: string }): Promise<DecodedPhoto> {
  const name = file.name ? `“${file.name}”` : 'This file';
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    throw new ImageInputError(`${name} could not be read (${(e as Error).message}).`, 'corrupt');
  }
  const sniff = sniffImage(bytes, name);

  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: sniff.mime });
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
  } catch {
    throw new ImageInputError(
      `${name} could not be decoded: it looks like a ${sniff.format.toUpperCase()} file, but it is damaged` +
        (['avif', 'tiff'].includes(sniff.format) ? ' or this browser cannot read that format' : '') +
        '. Try exporting it again as JPEG or PNG.',
      'corrupt',
    );
  }
  try {
    return { name: file.name ?? 'photo', image: bitmapToRGBA(bitmap), sniff, bytes };
  } finally {
    bitmap.close();
  }
}

function bitmapToRGBA(bitmap: ImageBitmap): RGBAImage {
  const { width, height } = bitmap;
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (typeof OffscreenCanvas !== 'undefined') {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) throw new ImageInputError('This browser could not give us a canvas to read the photo.', 'corrupt');
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, data };
}
