import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { appState, expectReport, jpeg, noisyPng, openPhoto, photoPixels } from './fixtures.ts';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 57-byte PNG that claims to be 40000×40000 (a decompression bomb's header): IHDR + IEND, no pixels. */
function bombPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(40000, 0);
  ihdr.writeUInt32BE(40000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IEND', Buffer.alloc(0))]);
}

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  let s = 12345;
  for (let i = 0; i < n; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  b[0] = 0x17; // never a known signature
  return b;
}

test('bad files get a clear message and the app stays usable', async ({ page }) => {
  const good = await jpeg(320, 240);
  const cases: Array<{ what: string; name: string; mime: string; bytes: Buffer; message: RegExp }> = [
    { what: 'zero bytes', name: 'empty.jpg', mime: 'image/jpeg', bytes: Buffer.alloc(0), message: /empty\.jpg.* is empty \(0 bytes\)/ },
    { what: 'truncated JPEG', name: 'half.jpg', mime: 'image/jpeg', bytes: good.subarray(0, good.length >> 1), message: /half\.jpg.* is incomplete/ },
    { what: 'random bytes', name: 'noise.jpg', mime: 'image/jpeg', bytes: randomBytes(4096), message: /noise\.jpg.* is not a photo format we can open/ },
    { what: 'decompression bomb', name: 'bomb.png', mime: 'image/png', bytes: bombPng(), message: /bomb\.png.* is 40000×40000 pixels.*limit/ },
  ];

  await page.goto('/');
  for (const c of cases) {
    await test.step(c.what, async () => {
      await openPhoto(page, c.bytes, c.name, c.mime);
      await expect(page.getByRole('alert')).toContainText(c.message);
      const state = await appState(page);
      expect(state.status).toBe('idle');
      expect(state.photo).toBeNull();
      await expect(page.getByRole('button', { name: 'Open a photo' })).toBeEnabled();
    });
  }

  // Still usable: a good photo opens, is analysed, and the message goes away.
  await openPhoto(page, await noisyPng(96, 64), 'good.png');
  await expectReport(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect((await appState(page)).photo).toMatchObject({ name: 'good.png', width: 96, height: 64 });

  // A bad file after a good one: the message shows and the open photo stays.
  await openPhoto(page, Buffer.alloc(0), 'empty-again.png', 'image/png');
  await expect(page.getByRole('alert')).toContainText(/is empty/);
  expect((await appState(page)).photo).toMatchObject({ name: 'good.png' });
});

test('16-bit PNGs and CMYK JPEGs open, with a note on how they are read', async ({ page }) => {
  await page.goto('/');
  const raw = photoPixels(120, 80, 10);
  const png16 = await sharp(raw, { raw: { width: 120, height: 80, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
  expect((await sharp(png16).metadata()).depth).toBe('ushort');
  await openPhoto(page, png16, 'scan16.png');
  await expectReport(page);
  let state = await appState(page);
  expect(state.photo).toMatchObject({ name: 'scan16.png', width: 120, height: 80 });
  await expect(page.getByTestId('input-note')).toContainText('16-bit');

  const cmyk = await sharp(raw, { raw: { width: 120, height: 80, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer();
  expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
  await openPhoto(page, cmyk, 'print.jpg', 'image/jpeg');
  await expect.poll(async () => (await appState(page)).photo?.name).toBe('print.jpg');
  await expectReport(page);
  state = await appState(page);
  expect(state.photo).toMatchObject({ width: 120, height: 80 });
  await expect(page.getByTestId('input-note')).toContainText('CMYK');
});
