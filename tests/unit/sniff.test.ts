import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageInputError, sniffImage } from '../../src/engine/io/sniff.ts';

function code(bytes: Uint8Array) {
  try {
    sniffImage(bytes, 'photo');
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ImageInputError);
    return (e as ImageInputError).code;
  }
}

/** A PNG header that claims `w` x `h` pixels, with an IEND so only the size is wrong: a decompression bomb. */
function bombPng(w: number, h: number) {
  const b = new Uint8Array(8 + 25 + 12);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(b.buffer);
  dv.setUint32(8, 13);
  b.set([0x49, 0x48, 0x44, 0x52], 12);
  dv.setUint32(16, w);
  dv.setUint32(20, h);
  b[24] = 8;
  b[25] = 2;
  b.set([0x49, 0x45, 0x4e, 0x44], 8 + 25 + 4);
  return b;
}

describe('sniffImage', () => {
  it('reads the real size of JPEG, PNG and WebP files', async () => {
    const raw = sharp({ create: { width: 37, height: 23, channels: 3, background: '#884422' } });
    for (const fmt of ['jpeg', 'png', 'webp'] as const) {
      const bytes = new Uint8Array(await raw.clone().toFormat(fmt).toBuffer());
      const r = sniffImage(bytes);
      expect([r.format, r.width, r.height]).toEqual([fmt, 37, 23]);
    }
  });

  it('refuses empty, unknown, truncated and oversized files with their own reason', async () => {
    expect(code(new Uint8Array(0))).toBe('empty');
    expect(code(new TextEncoder().encode('<!doctype html><p>not a photo'))).toBe('unsupported');
    const jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } }).jpeg().toBuffer());
    expect(code(jpeg)).toBe('ok');
    expect(code(jpeg.subarray(0, jpeg.length - 40))).toBe('truncated');
    const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer());
    expect(code(png.subarray(0, png.length - 20))).toBe('truncated');
    expect(code(bombPng(40000, 40000))).toBe('too-large');
    expect(code(bombPng(7000, 7000))).toBe('ok');
    expect(code(bombPng(0, 10))).toBe('corrupt');
  });

  it('names the limit in its message', () => {
    expect(() => sniffImage(bombPng(40000, 40000), 'scan.png')).toThrow(/scan\.png is 40000×40000 pixels.*limit is 60 megapixels/);
  });
});
