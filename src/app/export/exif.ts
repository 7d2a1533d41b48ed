/**
 * EXIF (a TIFF structure) carried over from the original into the export.
 * Edited in place so that maker notes and other offset-based data stay valid:
 * - Orientation is set to 1: the app decodes photos upright, so the pixels we
 *   write are already rotated and a copied Orientation would rotate them twice;
 * - the thumbnail IFD (IFD1) is unlinked: it shows the unrestored photo;
 * - on request the GPS IFD is unlinked *and zeroed*, so no location is left in
 *   the bytes.
 */

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

const TAG_ORIENTATION = 0x0112;
const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
const TAG_MAKE = 0x010f;
const TAG_MODEL = 0x0110;
const TAG_DATETIME = 0x0132;
const TAG_DATETIME_ORIGINAL = 0x9003;

export class ExifError extends Error {}

interface Entry {
  /** Byte offset of the 12-byte entry. */
  at: number;
  tag: number;
  type: number;
  count: number;
  /** Where the value is: inline (at + 8) or the offset it points to. */
  valueAt: number;
  size: number;
}

class Tiff {
  readonly le: boolean;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 8) throw new ExifError('EXIF too short');
    const bo = String.fromCharCode(bytes[0], bytes[1]);
    if (bo !== 'II' && bo !== 'MM') throw new ExifError('EXIF has no TIFF byte order mark');
    this.le = bo === 'II';
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.u16(2) !== 42) throw new ExifError('EXIF has no TIFF magic number');
  }
  check(offset: number, length: number) {
    if (offset < 0 || offset + length > this.bytes.length) throw new ExifError('EXIF offset out of range');
  }
  u16(o: number) {
    this.check(o, 2);
    return this.view.getUint16(o, this.le);
  }
  u32(o: number) {
    this.check(o, 4);
    return this.view.getUint32(o, this.le);
  }
  setU16(o: number, v: number) {
    this.check(o, 2);
    this.view.setUint16(o, v, this.le);
  }
  setU32(o: number, v: number) {
    this.check(o, 4);
    this.view.setUint32(o, v, this.le);
  }
  ifd0() {
    return this.u32(4);
  }
  entries(ifd: number): Entry[] {
    const n = this.u16(ifd);
    this.check(ifd, 2 + n * 12 + 4);
    const out: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const at = ifd + 2 + i * 12;
      const type = this.u16(at + 2);
      const count = this.u32(at + 4);
      const size = (TYPE_SIZE[type] ?? 1) * count;
      out.push({ at, tag: this.u16(at), type, count, size, valueAt: size <= 4 ? at + 8 : this.u32(at + 8) });
    }
    return out;
  }
  nextOffsetAt(ifd: number) {
    return ifd + 2 + this.u16(ifd) * 12;
  }
  ascii(e: Entry): string {
    this.check(e.valueAt, e.size);
    let s = '';
    for (let i = 0; i < e.size && this.bytes[e.valueAt + i] !== 0; i++) s += String.fromCharCode(this.bytes[e.valueAt + i]);
    return s.trim();
  }
}

export interface ExifSummary {
  make?: string;
  model?: string;
  /** DateTimeOriginal, else DateTime, as written ("YYYY:MM:DD HH:MM:SS"). */
  date?: string;
  orientation?: number;
  hasGps: boolean;
}

/** What the UI tells the user about the original's EXIF. Throws ExifError on a malformed block. */
export function readExifSummary(tiffBytes: Uint8Array): ExifSummary {
  const t = new Tiff(tiffBytes);
  const ifd0 = t.entries(t.ifd0());
  const find = (list: Entry[], tag: number) => list.find((e) => e.tag === tag);
  const summary: ExifSummary = { hasGps: !!find(ifd0, TAG_GPS_IFD) };
  const make = find(ifd0, TAG_MAKE);
  const model = find(ifd0, TAG_MODEL);
  const orientation = find(ifd0, TAG_ORIENTATION);
  if (make?.type === 2) summary.make = t.ascii(make);
  if (model?.type === 2) summary.model = t.ascii(model);
  if (orientation?.type === 3) summary.orientation = t.u16(orientation.valueAt);
  let date = find(ifd0, TAG_DATETIME);
  const exifIfd = find(ifd0, TAG_EXIF_IFD);
  if (exifIfd) {
    try {
      date = find(t.entries(t.u32(exifIfd.valueAt)), TAG_DATETIME_ORIGINAL) ?? date;
    } catch {
      // A broken Exif IFD: keep what IFD0 gave.
    }
  }
  if (date?.type === 2) summary.date = t.ascii(date);
  return summary;
}

export interface SanitizeOptions {
  stripGps: boolean;
}

/** A copy of the EXIF block fit to go with the restored pixels (see the file comment). */
export function sanitizeExif(tiffBytes: Uint8Array, opts: SanitizeOptions): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(tiffBytes);
  const t = new Tiff(bytes);
  const ifd0 = t.ifd0();
  const entries = t.entries(ifd0);

  const orientation = entries.find((e) => e.tag === TAG_ORIENTATION);
  if (orientation && orientation.type === 3 && orientation.count === 1) t.setU16(orientation.valueAt, 1);

  // Unlink IFD1 (the thumbnail of the unrestored photo).
  t.setU32(t.nextOffsetAt(ifd0), 0);

  const gps = entries.find((e) => e.tag === TAG_GPS_IFD);
  if (gps && opts.stripGps) {
    // Zero the GPS IFD and every value it points to, then drop the pointer from IFD0.
    try {
      const gpsIfd = t.u32(gps.valueAt);
      for (const e of t.entries(gpsIfd)) if (e.size > 4 && e.valueAt + e.size <= bytes.length) bytes.fill(0, e.valueAt, e.valueAt + e.size);
      const end = t.nextOffsetAt(gpsIfd) + 4;
      bytes.fill(0, gpsIfd, end);
    } catch {
      // The GPS IFD is broken: dropping the pointer is all we can do.
    }
    const n = entries.length;
    const i = entries.indexOf(gps);
    const start = ifd0 + 2;
    // Shift the entries after it (and the next-IFD offset) up by one entry.
    bytes.copyWithin(start + i * 12, start + (i + 1) * 12, start + n * 12 + 4);
    bytes.fill(0, start + (n - 1) * 12 + 4, start + n * 12 + 4);
    t.setU16(ifd0, n - 1);
  }
  return bytes;
}
