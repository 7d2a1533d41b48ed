import { describe, expect, it } from 'vitest';
import { baseName, sideBySide } from '../../src/app/export/side-by-side.ts';
import { zlibDeflate, zlibInflate } from '../../src/app/export/bytes.ts';

const solid = (width: number, height: number, v: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4).fill(v) });

describe('before/after image', () => {
  it('puts the original left and the result right, with a white gap', () => {
    const out = sideBySide(solid(10, 6, 10), solid(10, 6, 200), 4);
    expect([out.width, out.height]).toEqual([24, 6]);
    const px = (x: number, y: number) => out.data[(y * out.width + x) * 4];
    expect(px(0, 0)).toBe(10);
    expect(px(9, 5)).toBe(10);
    expect(px(11, 3)).toBe(255);
    expect(px(14, 0)).toBe(200);
    expect(px(23, 5)).toBe(200);
  });
});

describe('file names', () => {
  it('drops the extension and characters files cannot have', () => {
    expect(baseName('grandma 1962.JPG')).toBe('grandma 1962');
    expect(baseName('a/b:c.png')).toBe('a_b_c');
    expect(baseName('.jpg')).toBe('photo');
  });
});

describe('zlib', () => {
  it('round-trips', async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 13);
    const z = await zlibDeflate(bytes);
    expect(z[0]).toBe(0x78); // zlib header, as PNG's iCCP needs
    expect(Buffer.from(await zlibInflate(z)).equals(Buffer.from(bytes))).toBe(true);
  });
});
