/** Metadata read from an original, and what an export embeds. */
export interface SourceMetadata {
  /** EXIF as a bare TIFF structure (no "Exif\0\0" prefix). */
  exif?: Uint8Array;
  /** The ICC profile, reassembled. */
  icc?: Uint8Array;
}

export interface EmbeddedMetadata {
  exif?: Uint8Array;
  icc?: Uint8Array;
  /** An XMP packet (UTF-8 text). */
  xmp?: string;
}

export class MetadataError extends Error {}
