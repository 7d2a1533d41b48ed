/**
 * Reading and writing photo files in Node (CLI, eval, bench) with sharp
 * (libvips): decodes JPEG/PNG/WebP/TIFF/AVIF/GIF, and writes back with the
 * input's EXIF and ICC colour profile kept. Pixels are processed in the file's
 * own orientation and colour space, so nothing needs converting back.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import sharp from 'sharp';
import type { RGBAImage } from '../../engine/image.ts';
import { ImageInputError, MAX_MEGAPIXELS, sniffImage } from '../../engine/io/sniff.ts';

export interface DecodedFile {
  image: RGBAImage;
  /** The input's own bytes, kept as the metadata source for the output. */
  source: Uint8Array;
  format: string;
}

export async function decodeFile(path: string): Promise<DecodedFile> {
  const source = new Uint8Array(await readFile(path));
  const name = basename(path);
  const sniff = sniffImage(source, name);
  try {
    const { data, info } = await sharp(source, { limitInputPixels: MAX_MEGAPIXELS * 1e6, failOn: 'truncated' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      image: { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) },
      source,
      format: sniff.format,
    };
  } catch (e) {
    throw new ImageInputError(`${name} could not be decoded: ${(e as Error).message}`, 'corrupt');
  }
}

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export function formatFromPath(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  if (ext === '.png') return 'png';
  throw new Error(`Unsupported output type "${ext}": use .png, .jpg or .webp`);
}

/**
 * Encodes RGBA pixels. With `metadataFrom` (the input file) the pixels are laid
 * over that file with the "source" blend, which replaces every pixel but lets
 * libvips keep the input's EXIF, XMP, orientation and ICC profile untouched.
 */
export async function encodeFile(image: RGBAImage, path: string, metadataFrom?: Uint8Array, quality = 92): Promise<void> {
  const raw = {
    input: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    raw: { width: image.width, height: image.height, channels: 4 as const },
  };
  let pipeline = metadataFrom
    ? sharp(metadataFrom).composite([{ ...raw, blend: 'source' }]).keepMetadata()
    : sharp(raw.input, { raw: raw.raw });
  const format = formatFromPath(path);
  if (format === 'jpeg') pipeline = pipeline.jpeg({ quality, chromaSubsampling: '4:4:4' });
  else if (format === 'webp') pipeline = pipeline.webp({ quality });
  else pipeline = pipeline.png({ compressionLevel: 6 });
  await pipeline.toFile(path);
}
