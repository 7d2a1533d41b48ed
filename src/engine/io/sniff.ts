/**
 * Checks a photo file's bytes *before* decoding it: empty, unknown format,
 * truncated, or so large it would exhaust memory (a decompression bomb states
 * huge dimensions in a tiny file). Reading the header is cheap and gives the
 * user a clear message instead of a frozen tab or a half-grey photo.
 */

export const MAX_MEGAPIXELS = 60;
export const MAX_SIDE = 30000;

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'avif' | 'tiff';

export interface SniffResult {
  format: ImageFormat;
  mime: string;
  width?: number;
  height?: number;
  bitDepth?: number;
  /** JPEG colour components: 4 = CMYK. */
  components?: number;
}

export class ImageInputError extends Error {
  constructor(
    message: string,
    readonly code: 'empty' | 'unsupported' | 'truncated' | 'too-large' | 'corrupt',
  ) {
    super(message);
    this.name = 'ImageInputError';
  }
}

const MIME: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  bmp: 'image/bmp', avif: 'image/avif', tiff: 'image/tiff',
};

function ascii(b: Uint8Array, from: number, len: number) {
  return String.fromCharCode(...b.subarray(from, from + len));
}

export function detectFormat(b: Uint8Array): ImageFormat | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return 'png';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (ascii(b, 0, 2) === 'BM') return 'bmp';
  if (ascii(b, 4, 4) === 'ftyp' && /avi[fs]/.test(ascii(b, 8, 4))) return 'avif';
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return 'tiff';
  return undefined;
}

/** Throws ImageInputError with a plain message if the file cannot or should not be decoded. */
export function sniffImage(bytes: Uint8Array, name = 'This file'): SniffResult {
  if (bytes.length === 0) throw new ImageInputError(`${name} is empty (0 bytes).`, 'empty');
  const format = detectFormat(bytes);
  if (!format) {
    throw new ImageInputError(
      `${name} is not a photo format we can open. Use JPEG, PNG or WebP (also GIF, BMP, AVIF where the browser supports them).`,
      'unsupported',
    );
  }
  const result: SniffResult = { format, mime: MIME[format], ...readHeader(format, bytes, name) };
  const { width, height } = result;
  if (width !== undefined && height !== undefined) {
    if (width === 0 || height === 0) throw new ImageInputError(`${name} says it is ${width}×${height} pixels: it is damaged.`, 'corrupt');
    const mp = (width * height) / 1e6;
    if (mp > MAX_MEGAPIXELS || width > MAX_SIDE || height > MAX_SIDE) {
      throw new ImageInputError(
        `${name} is ${width}×${height} pixels (${mp.toFixed(0)} megapixels). The limit is ${MAX_MEGAPIXELS} megapixels ` +
          `and ${MAX_SIDE} pixels a side, so your device does not run out of memory. Scale it down and try again.`,
        'too-large',
      );
    }
  }
  return result;
}

/**
 * What the user should know about how the file is read (nothing refused): the app
 * works at 8 bits per RGB channel, which is what the browser's decoder gives it.
 */
export function inputNotes(sniff: SniffResult): string[] {
  const notes: string[] = [];
  if (sniff.bitDepth === 16 && (sniff.format === 'png' || sniff.format === 'tiff')) {
    notes.push('This is a 16-bit file. Heirloom works at 8 bits per channel, so the restored copy is 8-bit; your original file is not changed.');
  }
  if (sniff.format === 'jpeg' && sniff.components === 4) {
    notes.push('This is a CMYK (print) JPEG. The browser converts it to RGB to work on it, so colours can differ slightly from the printed original; the restored copy is RGB.');
  }
  if (sniff.format === 'jpeg' && sniff.bitDepth === 12) {
    notes.push('This JPEG has 12 bits per channel; Heirloom works at 8.');
  }
  return notes;
}

function truncated(name: string): never {
  throw new ImageInputError(`${name} is incomplete (the file ends early). Copy or export it again from the original.`, 'truncated');
}

function readHeader(format: ImageFormat, b: Uint8Array, name: string): Partial<SniffResult> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (format) {
    case 'png': {
      if (b.length < 33) truncated(name);
      const hasEnd = ascii(b, Math.max(0, b.length - 12), 12).includes('IEND');
      if (!hasEnd) truncated(name);
      return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: b[24] };
    }
    case 'jpeg': {
      // Walk the markers up to the frame header (SOFn) for size and components.
      let p = 2;
      let header: Partial<SniffResult> | undefined;
      while (p + 9 < b.length) {
        if (b[p] !== 0xff) { p++; continue; }
        const marker = b[p + 1];
        if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { p += 2; continue; }
        const len = dv.getUint16(p + 2);
        const isSOF = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
        if (isSOF) {
          header = { bitDepth: b[p + 4], height: dv.getUint16(p + 5), width: dv.getUint16(p + 7), components: b[p + 9] };
          break;
        }
        if (marker === 0xda) break; // scan data before a frame header: malformed
        p += 2 + len;
      }
      if (!header) {
        if (p + 9 >= b.length) truncated(name);
        throw new ImageInputError(`${name} is a damaged JPEG (no frame header).`, 'corrupt');
      }
      // A complete JPEG ends with EOI (FFD9), possibly followed by a little padding.
      const tail = b.subarray(Math.max(0, b.length - 4096));
      let hasEoi = false;
      for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) { hasEoi = true; break; }
      if (!hasEoi) truncated(name);
      return header;
    }
    case 'webp': {
      if (b.length < 30) truncated(name);
      const riffSize = dv.getUint32(4, true);
      if (riffSize + 8 > b.length) truncated(name);
      const chunk = ascii(b, 12, 4);
      if (chunk === 'VP8X') return { width: 1 + (dv.getUint32(24, true) & 0xffffff), height: 1 + (dv.getUint32(27, true) & 0xffffff) };
      if (chunk === 'VP8L') {
        const bits = dv.getUint32(21, true);
        return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
      }
      if (chunk === 'VP8 ') return { width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff };
      return {};
    }
    case 'gif':
      if (b.length < 10) truncated(name);
      return { width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
    case 'bmp':
      if (b.length < 26) truncated(name);
      return { width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
    default:
      return {};
  }
}
