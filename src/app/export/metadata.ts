/**
 * Which metadata an export carries, decided from the original's bytes and the
 * user's choices, and the dispatch to the container writers. Pure functions.
 */
import { isJpeg, JPEG_MAX_EXIF, embedJpegMetadata, readJpegMetadata } from './jpeg.ts';
import { readExifSummary, sanitizeExif, type ExifSummary } from './exif.ts';
import { readIccInfo, type IccInfo } from './icc.ts';
import { embedPngMetadata, isPng, readPngMetadata } from './png.ts';
import { buildXmp, type EditRecord } from './record.ts';
import type { EmbeddedMetadata, SourceMetadata } from './types.ts';
import { embedWebpMetadata, isWebp, readWebpMetadata } from './webp.ts';

export type ExportFormat = 'png' | 'jpeg' | 'webp';

export const FORMAT_INFO: Record<ExportFormat, { mime: string; ext: string; label: string }> = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg', label: 'JPEG' },
  png: { mime: 'image/png', ext: 'png', label: 'PNG' },
  webp: { mime: 'image/webp', ext: 'webp', label: 'WebP' },
};

export interface MetadataChoices {
  /** Copy the original's EXIF (date, camera, ...). */
  keepExif: boolean;
  /** Leave the GPS position out of the copied EXIF. */
  removeLocation: boolean;
  /** Embed the record of the AI edits (XMP). */
  includeRecord: boolean;
}

/** Reads the EXIF and ICC profile of the original file (JPEG, PNG or WebP); anything else has none we read. */
export async function readSourceMetadata(bytes: Uint8Array): Promise<SourceMetadata> {
  try {
    if (isJpeg(bytes)) return readJpegMetadata(bytes);
    if (isPng(bytes)) return await readPngMetadata(bytes);
    if (isWebp(bytes)) return readWebpMetadata(bytes);
  } catch {
    // A malformed header: the photo still decoded, so export without its metadata.
  }
  return {};
}

export interface SourceMetadataInfo {
  exif?: ExifSummary;
  /** EXIF was there but could not be read: it is not copied. */
  exifUnreadable?: boolean;
  icc?: IccInfo;
}

export function describeSourceMetadata(src: SourceMetadata): SourceMetadataInfo {
  const info: SourceMetadataInfo = {};
  if (src.exif) {
    try {
      info.exif = readExifSummary(src.exif);
    } catch {
      info.exifUnreadable = true;
    }
  }
  if (src.icc) info.icc = readIccInfo(src.icc) ?? { colourSpace: '?', isSRGB: false };
  return info;
}

export interface MetadataPlan {
  meta: EmbeddedMetadata;
  /** Plain sentences for the user about what was left out and why. */
  notes: string[];
}

export function planMetadata(src: SourceMetadata, format: ExportFormat, choices: MetadataChoices, record?: EditRecord): MetadataPlan {
  const meta: EmbeddedMetadata = {};
  const notes: string[] = [];
  if (src.exif && choices.keepExif) {
    try {
      const exif = sanitizeExif(src.exif, { stripGps: choices.removeLocation });
      if (format === 'jpeg' && exif.length > JPEG_MAX_EXIF) notes.push('The original’s EXIF is too large for a JPEG and was left out.');
      else meta.exif = exif;
    } catch {
      notes.push('The original’s EXIF could not be read and was left out.');
    }
  }
  if (src.icc) {
    const icc = readIccInfo(src.icc);
    if (icc?.isSRGB) meta.icc = src.icc;
    else notes.push(`The original’s colour profile (${icc?.description || 'unnamed'}) was converted to sRGB when the photo was opened, so the export is sRGB.`);
  }
  if (record) meta.xmp = buildXmp(record);
  return { meta, notes };
}

/** The encoded file with the metadata written into it. */
export async function embedMetadata(encoded: Uint8Array, format: ExportFormat, width: number, height: number, meta: EmbeddedMetadata): Promise<Uint8Array<ArrayBuffer>> {
  if (!meta.exif && !meta.icc && !meta.xmp) return new Uint8Array(encoded);
  if (format === 'jpeg') return embedJpegMetadata(encoded, meta);
  if (format === 'png') return embedPngMetadata(encoded, meta);
  return embedWebpMetadata(encoded, width, height, meta);
}
