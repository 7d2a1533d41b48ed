/**
 * Export metadata writers, checked by reading their output back with sharp
 * (libvips) and with our own readers: EXIF (Orientation reset, GPS removed on
 * request), ICC profile, and the XMP edit record, for JPEG, PNG and WebP.
 */
import { stageRegistry } from '../../src/stages/index.ts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/app/export/crc32.ts';
import { readExifSummary, sanitizeExif } from '../../src/app/export/exif.ts';
import { readIccInfo } from '../../src/app/export/icc.ts';
import { embedJpegMetadata, jpegSegments, JPEG_MAX_EXIF } from '../../src/app/export/jpeg.ts';
import { embedMetadata, planMetadata, readSourceMetadata, type ExportFormat } from '../../src/app/export/metadata.ts';
import { pngChunks } from '../../src/app/export/png.ts';
import { buildEditRecord, buildXmp, describeRecord, parseEditRecord, type EditRecord } from '../../src/app/export/record.ts';
import { webpChunks } from '../../src/app/export/webp.ts';

const W = 24;
const H = 16;
const raw = () => {
  const px = Buffer.alloc(W * H * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 251;
  return sharp(px, { raw: { width: W, height: H, channels: 3 } });
};

/** An original as a camera would write it: EXIF with camera, date, GPS and a rotated Orientation; a colour profile. */
async function original(format: ExportFormat, icc: 'srgb' | 'p3' = 'srgb') {
  const img = raw()
    .withExif({
      IFD0: { Make: 'HeirloomTestCam', Model: 'Model 7', DateTime: '1962:07:14 10:00:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 17/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 55/1' },
    })
    .withIccProfile(icc);
  return img[format]().toBuffer();
}

/** What the browser's canvas encoder gives us: pixels, no metadata. */
const plain = (format: ExportFormat) => raw()[format]().toBuffer();

const record = (stage = 'denoise'): EditRecord =>
  buildEditRecord({
    app: 'Heirloom',
    appVersion: '0.1.0',
    source: 'grandma <1962> & co.jpg',
    date: '2026-01-02T03:04:05.000Z',
    exported: '2026-01-02T03:05:00.000Z',
    changedShare: 0.83,
    stages: [{ stage, label: 'Noise & grain', method: 'model', model: { id: 'tiny-test', version: '1' }, strength: 0.6, changedShare: 0.83, generates: stageRegistry.get(stage).meta.generates }],
  });

const exifText = (exif?: Buffer) => exif?.toString('latin1') ?? '';

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('1234'), new TextEncoder().encode('56789'))).toBe(0xcbf43926);
  });
});

describe('reading the original', () => {
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`finds EXIF and the ICC profile in a ${format}`, async () => {
      const src = await readSourceMetadata(await original(format));
      expect(src.exif).toBeDefined();
      expect(readExifSummary(src.exif!)).toMatchObject({ make: 'HeirloomTestCam', model: 'Model 7', hasGps: true });
      expect(readIccInfo(src.icc!)).toMatchObject({ colourSpace: 'RGB', isSRGB: true });
    });
  }

  it('tells an sRGB profile from a wide-gamut one', async () => {
    const p3 = await readSourceMetadata(await original('jpeg', 'p3'));
    expect(readIccInfo(p3.icc!)?.isSRGB).toBe(false);
    const plan = planMetadata(p3, 'jpeg', { keepExif: true, removeLocation: false, includeRecord: false });
    expect(plan.meta.icc).toBeUndefined();
    expect(plan.notes.join(' ')).toMatch(/converted to sRGB/);
  });

  it('returns nothing for files it cannot parse', async () => {
    expect(await readSourceMetadata(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff]))).toEqual({});
    expect(await readSourceMetadata(new Uint8Array([1, 2, 3]))).toEqual({});
  });
});

describe('EXIF sanitising', () => {
  it('sets Orientation to 1, keeps the rest, and removes every GPS byte on request', async () => {
    const src = await readSourceMetadata(await original('jpeg'));
    const tiff = new Uint8Array(src.exif!);
    // Make it a rotated photo: the app decodes upright, so the copy must say 1.
    const view = new DataView(tiff.buffer);
    const le = tiff[0] === 0x49;
    const n = view.getUint16(view.getUint32(4, le), le);
    const ifd0 = view.getUint32(4, le);
    let patched = false;
    for (let i = 0; i < n; i++) {
      const at = ifd0 + 2 + i * 12;
      if (view.getUint16(at, le) === 0x0112) {
        view.setUint16(at + 8, 6, le);
        patched = true;
      }
    }
    expect(patched).toBe(true);
    expect(readExifSummary(tiff).orientation).toBe(6);

    const kept = sanitizeExif(tiff, { stripGps: false });
    expect(readExifSummary(kept)).toMatchObject({ orientation: 1, hasGps: true, make: 'HeirloomTestCam' });

    const stripped = sanitizeExif(tiff, { stripGps: true });
    expect(readExifSummary(stripped)).toMatchObject({ orientation: 1, hasGps: false, make: 'HeirloomTestCam', date: '1962:07:14 10:00:00' });
    // The GPS values themselves are gone, not just unlinked: the latitude seconds (17/1) and "N"/"E" refs.
    const rational = (num: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, num, le);
      new DataView(b.buffer).setUint32(4, 1, le);
      return Buffer.from(b).toString('hex');
    };
    expect(Buffer.from(tiff).toString('hex')).toContain(rational(17));
    expect(Buffer.from(stripped).toString('hex')).not.toContain(rational(17));
    // The input is not modified.
    expect(readExifSummary(tiff).hasGps).toBe(true);
  });

  it('rejects garbage', () => {
    expect(() => sanitizeExif(new Uint8Array(10), { stripGps: true })).toThrow();
  });
});

describe('writing metadata', () => {
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`${format}: EXIF, ICC and the XMP edit record read back with sharp`, async () => {
      const src = await readSourceMetadata(await original(format === 'webp' ? 'jpeg' : format));
      const { meta, notes } = planMetadata(src, format, { keepExif: true, removeLocation: true, includeRecord: true }, record());
      expect(notes).toEqual([]);
      const out = await embedMetadata(await plain(format), format, W, H, meta);
      const m = await sharp(out).metadata();
      expect(m.format).toBe(format);
      expect([m.width, m.height]).toEqual([W, H]);
      expect(exifText(m.exif)).toContain('HeirloomTestCam');
      expect(Buffer.from(m.icc!).equals(Buffer.from(src.icc!))).toBe(true);
      const xmp = m.xmp!.toString('utf8');
      expect(xmp).toContain('<dc:description>');
      const back = parseEditRecord(xmp)!;
      expect(back.stages).toEqual([expect.objectContaining({ stage: 'denoise', method: 'model', model: { id: 'tiny-test', version: '1' }, strength: 0.6 })]);
      expect(back.source).toBe('grandma <1962> & co.jpg');
      expect(back.contentGenerated).toBe(false);
      // Our own reader agrees that the location is gone.
      const again = await readSourceMetadata(out);
      expect(readExifSummary(again.exif!).hasGps).toBe(false);
      // The pixels decode to the same thing as without metadata.
      const a = await sharp(out).raw().toBuffer();
      const b = await sharp(await plain(format)).raw().toBuffer();
      expect(a.equals(b)).toBe(true);
    });

    it(`${format}: without the record and EXIF, no XMP or EXIF is written`, async () => {
      const src = await readSourceMetadata(await original('jpeg'));
      const { meta } = planMetadata(src, format, { keepExif: false, removeLocation: false, includeRecord: false });
      const out = await embedMetadata(await plain(format), format, W, H, meta);
      const m = await sharp(out).metadata();
      expect(m.xmp).toBeUndefined();
      expect(m.exif).toBeUndefined();
      expect(m.icc).toBeDefined();
    });
  }

  it('jpeg: segments are ordered, and large ICC profiles are split', async () => {
    const icc = new Uint8Array(150_000).map((_, i) => i % 256);
    const out = embedJpegMetadata(await plain('jpeg'), { icc, xmp: buildXmp(record()) });
    const { segments } = jpegSegments(out);
    const icc2 = segments.filter((s) => s.marker === 0xe2);
    expect(icc2).toHaveLength(3);
    expect(Buffer.from((await readSourceMetadata(out)).icc!).equals(Buffer.from(icc))).toBe(true);
    // XMP (APP1) then the ICC chunks (APP2), before the encoder's tables; a JFIF APP0, if any, stays first.
    expect(segments.filter((s) => s.marker !== 0xe0).slice(0, 4).map((s) => s.marker)).toEqual([0xe1, 0xe2, 0xe2, 0xe2]);
    expect(() => embedJpegMetadata(out, { exif: new Uint8Array(JPEG_MAX_EXIF + 1) })).toThrow();
  });

  it('png: our chunks come right after IHDR and every CRC checks out', async () => {
    const src = await readSourceMetadata(await original('png'));
    const out = await embedMetadata(await plain('png'), 'png', W, H, { ...src, xmp: buildXmp(record()) });
    const chunks = pngChunks(out);
    expect(chunks.slice(0, 4).map((c) => c.type)).toEqual(['IHDR', 'iCCP', 'eXIf', 'iTXt']);
    for (const c of chunks) {
      const type = new TextEncoder().encode(c.type);
      expect(new DataView(out.buffer, c.end - 4, 4).getUint32(0)).toBe(crc32(type, c.data));
    }
  });

  it('webp: rewrapped as VP8X with the flags set', async () => {
    const src = await readSourceMetadata(await original('webp'));
    const out = await embedMetadata(await plain('webp'), 'webp', W, H, { ...src, xmp: buildXmp(record()) });
    const chunks = webpChunks(out);
    expect(chunks.map((c) => c.fourcc)).toEqual(['VP8X', 'ICCP', 'VP8 ', 'EXIF', 'XMP ']);
    expect(chunks[0].data[0]).toBe(0x20 | 0x08 | 0x04);
  });
});

describe('edit record', () => {
  it('marks fills as generated content and survives XML escaping', () => {
    const r = record('fill');
    expect(r.contentGenerated).toBe(true);
    const xmp = buildXmp(r);
    expect(xmp).toContain('compositeWithTrainedAlgorithmicMedia');
    expect(xmp).toMatch(/Some content was generated/);
    expect(parseEditRecord(xmp)).toEqual(r);
    expect(parseEditRecord(buildXmp(record()))!.contentGenerated).toBe(false);
  });

  it('says how a classical stage worked when it says so itself (deconvolution of camera shake)', () => {
    const r = buildEditRecord({
      app: 'Heirloom', appVersion: '0.1.0', source: 'shaken.jpg', date: '2026-01-02T03:04:05.000Z', exported: '2026-01-02T03:05:00.000Z', changedShare: 0.9,
      stages: [{ stage: 'deblur', label: 'Blur', method: 'classical', detail: 'deconvolution by the camera shake estimated in the photo (about 17 px)', strength: 1, changedShare: 0.9 }],
    });
    expect(describeRecord(r)).toMatch(/Blur \(classical method: deconvolution by the camera shake estimated in the photo \(about 17 px\), strength 100%/);
    expect(parseEditRecord(buildXmp(r))!.stages[0].detail).toMatch(/camera shake/);
  });

  it('names what a model\'s result was mixed with (deconvolution of a possible camera shake)', () => {
    const detail = '50% deconvolution by a possible camera shake estimated in the photo (about 9 px), the rest the deblurring model';
    const r = buildEditRecord({
      app: 'Heirloom', appVersion: '0.1.0', source: 'shaken.jpg', date: '2026-01-02T03:04:05.000Z', exported: '2026-01-02T03:05:00.000Z', changedShare: 0.9,
      stages: [{ stage: 'deblur', label: 'Blur', method: 'model', model: { id: 'deblur-nafnet-w16', version: '1.1.0' }, detail, strength: 1, changedShare: 0.9 }],
    });
    expect(describeRecord(r)).toContain(`Blur (model deblur-nafnet-w16 1.1.0: ${detail}, strength 100%`);
  });
});
