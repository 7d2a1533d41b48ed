/**
 * Browser side of export: pixels -> file bytes with the canvas encoder
 * (OffscreenCanvas.convertToBlob, or a canvas element's toBlob), then our
 * metadata written into the container.
 */
import type { RGBAImage } from '../../engine/image.ts';
import { baseName, sideBySide } from './side-by-side.ts';
import { embedMetadata, FORMAT_INFO, planMetadata, readSourceMetadata, type ExportFormat, type MetadataChoices } from './metadata.ts';
import type { EditRecord } from './record.ts';

export async function encodePixels(img: RGBAImage, format: ExportFormat, quality: number): Promise<Uint8Array> {
  const { mime } = FORMAT_INFO[format];
  const pixels = new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
  let blob: Blob | null;
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(img.width, img.height);
    canvas.getContext('2d')!.putImageData(pixels, 0, 0);
    blob = await canvas.convertToBlob({ type: mime, quality });
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    canvas.getContext('2d')!.putImageData(pixels, 0, 0);
    blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, mime, quality));
  }
  if (!blob) throw new Error('The browser could not encode the image (it may be too large for a canvas).');
  // Browsers that cannot write a format silently return PNG.
  if (blob.type !== mime) throw new Error(`This browser cannot write ${FORMAT_INFO[format].label} files. Choose another format.`);
  return new Uint8Array(await blob.arrayBuffer());
}

export interface ExportRequest {
  image: RGBAImage;
  format: ExportFormat;
  /** 0..1, JPEG and WebP. */
  quality: number;
  /** The original file's bytes (its EXIF and ICC profile are read from them). */
  originalBytes?: Uint8Array;
  originalName: string;
  choices: MetadataChoices;
  record?: EditRecord;
}

export interface ExportedFile {
  blob: Blob;
  filename: string;
  notes: string[];
}

export async function exportImage(req: ExportRequest): Promise<ExportedFile> {
  const encoded = await encodePixels(req.image, req.format, req.quality);
  const source = req.originalBytes ? await readSourceMetadata(req.originalBytes) : {};
  const { meta, notes } = planMetadata(source, req.format, req.choices, req.record);
  const bytes = await embedMetadata(encoded, req.format, req.image.width, req.image.height, meta);
  const { mime, ext } = FORMAT_INFO[req.format];
  return { blob: new Blob([bytes], { type: mime }), filename: `${baseName(req.originalName)}-restored.${ext}`, notes };
}

/** The before/after image as a PNG, with the edit record but no EXIF (it is a new picture, not the photo). */
export async function exportComparison(before: RGBAImage, after: RGBAImage, originalName: string, record?: EditRecord): Promise<ExportedFile> {
  const image = sideBySide(before, after);
  const encoded = await encodePixels(image, 'png', 1);
  const { meta } = planMetadata({}, 'png', { keepExif: false, removeLocation: true, includeRecord: !!record }, record);
  const bytes = await embedMetadata(encoded, 'png', image.width, image.height, meta);
  return { blob: new Blob([bytes], { type: 'image/png' }), filename: `${baseName(originalName)}-before-after.png`, notes: [] };
}

/** Hands a file to the browser's download machinery. */
export function download(file: ExportedFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
