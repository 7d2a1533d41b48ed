/**
 * WebP (RIFF) chunks: read EXIF/ICCP from an original, and rewrap a freshly
 * encoded WebP into the extended (VP8X) layout with ICCP, EXIF and XMP chunks:
 * RIFF · VP8X · ICCP · [ALPH] · VP8/VP8L · EXIF · XMP.
 */
import { ascii, concat, le24, le32, startsWith, u32le, utf8 } from './bytes.ts';
import { MetadataError, type EmbeddedMetadata, type SourceMetadata } from './types.ts';

export interface RiffChunk {
  fourcc: string;
  data: Uint8Array;
}

export const isWebp = (b: Uint8Array) => b.length >= 12 && startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8);

export function webpChunks(b: Uint8Array): RiffChunk[] {
  if (!isWebp(b)) throw new MetadataError('Not a WebP file.');
  const end = Math.min(b.length, 8 + u32le(b, 4));
  const chunks: RiffChunk[] = [];
  let o = 12;
  while (o + 8 <= end) {
    const fourcc = String.fromCharCode(...b.subarray(o, o + 4));
    const len = u32le(b, o + 4);
    if (o + 8 + len > end) throw new MetadataError('Malformed WebP: chunk runs past the end.');
    chunks.push({ fourcc, data: b.subarray(o + 8, o + 8 + len) });
    o += 8 + len + (len & 1);
  }
  return chunks;
}

const EXIF_PREFIX = ascii('Exif\0\0');

export function readWebpMetadata(b: Uint8Array): SourceMetadata {
  const out: SourceMetadata = {};
  for (const c of webpChunks(b)) {
    if (c.fourcc === 'ICCP' && !out.icc) out.icc = c.data.slice();
    // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
    if (c.fourcc === 'EXIF' && !out.exif) out.exif = (startsWith(c.data, EXIF_PREFIX) ? c.data.subarray(6) : c.data).slice();
  }
  return out;
}

function chunk(fourcc: string, data: Uint8Array): Uint8Array {
  return concat([ascii(fourcc), le32(data.length), data, data.length & 1 ? Uint8Array.of(0) : new Uint8Array(0)]);
}

export function embedWebpMetadata(webp: Uint8Array, width: number, height: number, meta: EmbeddedMetadata): Uint8Array<ArrayBuffer> {
  const chunks = webpChunks(webp);
  const image = chunks.filter((c) => c.fourcc === 'ALPH' || c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
  if (!image.some((c) => c.fourcc !== 'ALPH')) throw new MetadataError('Malformed WebP: no image data.');
  if (chunks.some((c) => c.fourcc === 'ANIM')) throw new MetadataError('Animated WebP is not supported.');
  const vp8l = image.find((c) => c.fourcc === 'VP8L');
  const alpha = image.some((c) => c.fourcc === 'ALPH') || (!!vp8l && vp8l.data.length >= 5 && ((u32le(vp8l.data, 1) >>> 28) & 1) === 1);
  const xmp = meta.xmp ? utf8(meta.xmp) : undefined;
  const flags = (meta.icc ? 0x20 : 0) | (alpha ? 0x10 : 0) | (meta.exif ? 0x08 : 0) | (xmp ? 0x04 : 0);
  const vp8x = concat([Uint8Array.of(flags, 0, 0, 0), le24(width - 1), le24(height - 1)]);
  const body = concat([
    ascii('WEBP'),
    chunk('VP8X', vp8x),
    ...(meta.icc ? [chunk('ICCP', meta.icc)] : []),
    ...image.map((c) => chunk(c.fourcc, c.data)),
    ...(meta.exif ? [chunk('EXIF', meta.exif)] : []),
    ...(xmp ? [chunk('XMP ', xmp)] : []),
  ]);
  return concat([ascii('RIFF'), le32(body.length), body]);
}
