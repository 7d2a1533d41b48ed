import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait } from './fixtures.ts';

/** Mean absolute difference (8-bit) of two screenshots over the columns [from, to) as shares of the width. */
type Shot = { data: Buffer; info: { width: number; height: number; channels: number } };

function columnsDiff(a: Shot, b: Shot, from: number, to: number) {
  const { width, height, channels } = a.info;
  expect([b.info.width, b.info.height]).toEqual([width, height]);
  let sum = 0, n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = Math.floor(from * width); x < Math.floor(to * width); x++) {
      const p = (y * width + x) * channels;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[p + c] - b.data[p + c]);
      n += 3;
    }
  }
  return sum / n;
}

test('compare slider: its Restored end shows the restored photo, its Original end the original', async ({ page }) => {
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  await openPhoto(page, await noisyPng(160, 120, 30), 'noisy.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);
  const surface = page.getByTestId('photo-surface');
  const shot = async () => sharp(await surface.screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // Holding H shows the original alone.
  await page.getByTestId('photo-viewport').focus();
  await page.keyboard.down('h');
  await expect(page.getByRole('button', { name: 'Hold for original' })).toHaveAttribute('aria-pressed', 'true');
  const original = await shot();
  await page.keyboard.up('h');
  await expect(page.getByRole('button', { name: 'Hold for original' })).toHaveAttribute('aria-pressed', 'false');

  const slider = page.getByRole('slider', { name: 'Compare original and restored' });
  await slider.fill('100');
  const atRestored = await shot();
  await slider.fill('0');
  const atOriginal = await shot();
  for (const [from, to] of [[0.05, 0.45], [0.55, 0.95]]) {
    expect(columnsDiff(atOriginal, original, from, to), `Original end, columns ${from}-${to}`).toBeLessThan(0.5);
    expect(columnsDiff(atRestored, original, from, to), `Restored end, columns ${from}-${to}`).toBeGreaterThan(3);
  }
  // Half way: the handle moves with the thumb, the restored photo left of it.
  await slider.fill('50');
  const half = await shot();
  expect(columnsDiff(half, atRestored, 0.05, 0.45)).toBeLessThan(0.5);
  expect(columnsDiff(half, original, 0.55, 0.95)).toBeLessThan(0.5);
});
