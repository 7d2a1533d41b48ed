/**
 * JPEG marker segments: read EXIF/ICC from an original, and write EXIF, XMP
 * and ICC into a freshly encoded JPEG (the canvas encoder writes none of ours).
 */
import { ascii, concat, startsWith, u16be, utf8 } from './bytes.ts';
import { MetadataError, type EmbeddedMetadata, type SourceMetadata } from './types.ts';

const EXIF_ID = ascii('Exif\0\0');
const XMP_ID = ascii('http://ns.adobe.com/xap/1.0/\0');
const ICC_ID = ascii('ICC_PROFILE\0');
/** Largest payload of one segment: the 2 length bytes count in the 65535. */
const MAX_PAYLOAD = 65533;
export const JPEG_MAX_EXIF = MAX_PAYLOAD - EXIF_ID.length;
const ICC_CHUNK = MAX_PAYLOAD - ICC_ID.length - 2;

export interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF of the marker. */
  start: number;
  /** Offset just past the segment. */
  end: number;
  payload: Uint8Array;
}

export const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** The header segments, up to (not including) the first SOS; `rest` is where SOS starts. */
export function jpegSegments(b: Uint8Array): { segments: JpegSegment[]; rest: number } {
  if (!isJpeg(b)) throw new MetadataError('Not a JPEG file.');
  const segments: JpegSegment[] = [];
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) throw new MetadataError('Malformed JPEG: marker expected.');
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return { segments, rest: o };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2;
      continue;
    }
    const len = u16be(b, o + 2);
    if (len < 2 || o + 2 + len > b.length) throw new MetadataError('Malformed JPEG: segment runs past the end.');
    segments.push({ marker, start: o, end: o + 2 + len, payload: b.subarray(o + 4, o + 2 + len) });
    o += 2 + len;
  }
  throw new MetadataError('Malformed JPEG: no image data.');
}

export function readJpegMetadata(b: Uint8Array): SourceMetadata {
  const { segments } = jpegSegments(b);
  const out: SourceMetadata = {};
  const icc: { seq: number; data: Uint8Array }[] = [];
  for (const s of segments) {
    if (s.marker === 0xe1 && !out.exif && startsWith(s.payload, EXIF_ID)) out.exif = s.payload.slice(EXIF_ID.length);
    if (s.marker === 0xe2 && startsWith(s.payload, ICC_ID) && s.payload.length > ICC_ID.length + 2) {
      icc.push({ seq: s.payload[ICC_ID.length], data: s.payload.subarray(ICC_ID.length + 2) });
    }
  }
  if (icc.length) out.icc = concat(icc.sort((a, b) => a.seq - b.seq).map((c) => c.data));
  return out;
}

function segment(marker: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new MetadataError(`JPEG segment too large (${payload.length} bytes).`);
  const len = payload.length + 2;
  return concat([Uint8Array.of(0xff, marker, len >> 8, len & 0xff), payload]);
}

/**
 * The same JPEG with our APP1 (EXIF, XMP) and APP2 (ICC) segments right after
 * the JFIF header; any APP1/APP2 the encoder wrote are replaced.
 */
export function embedJpegMetadata(jpeg: Uint8Array, meta: EmbeddedMetadata): Uint8Array<ArrayBuffer> {
  const { segments, rest } = jpegSegments(jpeg);
  const head: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  for (const s of segments) {
    if (s.marker === 0xe1 || s.marker === 0xe2) continue;
    (s.marker === 0xe0 && tail.length === 0 ? head : tail).push(jpeg.subarray(s.start, s.end));
  }
  const ours: Uint8Array[] = [];
  if (meta.exif) {
    if (meta.exif.length > JPEG_MAX_EXIF) throw new MetadataError('The EXIF block is too large for one JPEG segment.');
    ours.push(segment(0xe1, concat([EXIF_ID, meta.exif])));
  }
  if (meta.xmp) ours.push(segment(0xe1, concat([XMP_ID, utf8(meta.xmp)])));
  if (meta.icc) {
    const n = Math.ceil(meta.icc.length / ICC_CHUNK);
    if (n > 255) throw new MetadataError('The ICC profile is too large for a JPEG.');
    for (let i = 0; i < n; i++) {
      ours.push(segment(0xe2, concat([ICC_ID, Uint8Array.of(i + 1, n), meta.icc.subarray(i * ICC_CHUNK, (i + 1) * ICC_CHUNK)])));
    }
  }
  return concat([jpeg.subarray(0, 2), ...head, ...ours, ...tail, jpeg.subarray(rest)]);
}
