/**
 * PNG chunks: read eXIf/iCCP from an original, and write iCCP, eXIf and an
 * XMP iTXt chunk into a freshly encoded PNG, with their CRCs.
 */
import { ascii, be32, concat, startsWith, u32be, utf8, zlibDeflate, zlibInflate } from './bytes.ts';
import { crc32 } from './crc32.ts';
import { MetadataError, type EmbeddedMetadata, type SourceMetadata } from './types.ts';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
export const XMP_KEYWORD = 'XML:com.adobe.xmp';

export interface PngChunk {
  type: string;
  data: Uint8Array;
  start: number;
  end: number;
}

export const isPng = (b: Uint8Array) => startsWith(b, PNG_SIGNATURE);

export function pngChunks(b: Uint8Array): PngChunk[] {
  if (!isPng(b)) throw new MetadataError('Not a PNG file.');
  const chunks: PngChunk[] = [];
  let o = 8;
  while (o + 12 <= b.length) {
    const len = u32be(b, o);
    const type = String.fromCharCode(...b.subarray(o + 4, o + 8));
    if (o + 12 + len > b.length) throw new MetadataError('Malformed PNG: chunk runs past the end.');
    chunks.push({ type, data: b.subarray(o + 8, o + 8 + len), start: o, end: o + 12 + len });
    o += 12 + len;
    if (type === 'IEND') break;
  }
  return chunks;
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const t = ascii(type);
  return concat([be32(data.length), t, data, be32(crc32(t, data))]);
}

export async function readPngMetadata(b: Uint8Array): Promise<SourceMetadata> {
  const out: SourceMetadata = {};
  for (const c of pngChunks(b)) {
    if (c.type === 'eXIf' && !out.exif) out.exif = c.data.slice();
    if (c.type === 'iCCP' && !out.icc) {
      const nul = c.data.indexOf(0);
      if (nul > 0 && c.data[nul + 1] === 0) out.icc = await zlibInflate(c.data.subarray(nul + 2)).catch(() => undefined);
    }
  }
  return out;
}

/** Chunks that describe colour or metadata we replace when we write our own. */
function replaced(c: PngChunk, meta: EmbeddedMetadata): boolean {
  if (meta.icc && ['iCCP', 'sRGB', 'gAMA', 'cHRM'].includes(c.type)) return true;
  if (meta.exif && c.type === 'eXIf') return true;
  if (meta.xmp && c.type === 'iTXt' && startsWith(c.data, ascii(`${XMP_KEYWORD}\0`))) return true;
  return false;
}

export async function embedPngMetadata(png: Uint8Array, meta: EmbeddedMetadata): Promise<Uint8Array<ArrayBuffer>> {
  const chunks = pngChunks(png);
  if (chunks[0]?.type !== 'IHDR') throw new MetadataError('Malformed PNG: IHDR must come first.');
  const ours: Uint8Array[] = [];
  if (meta.icc) ours.push(pngChunk('iCCP', concat([ascii('ICC profile\0'), Uint8Array.of(0), await zlibDeflate(meta.icc)])));
  if (meta.exif) ours.push(pngChunk('eXIf', meta.exif));
  // iTXt: keyword, NUL, compression flag 0, method 0, language "" NUL, translated keyword "" NUL, UTF-8 text.
  if (meta.xmp) ours.push(pngChunk('iTXt', concat([ascii(`${XMP_KEYWORD}\0`), Uint8Array.of(0, 0, 0, 0), utf8(meta.xmp)])));
  const rest = chunks.slice(1).filter((c) => !replaced(c, meta));
  return concat([PNG_SIGNATURE, png.subarray(chunks[0].start, chunks[0].end), ...ours, ...rest.map((c) => png.subarray(c.start, c.end))]);
}
