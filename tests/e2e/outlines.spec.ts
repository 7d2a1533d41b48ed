import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { appState, chooseOnly, expectReport, openPhoto, photoPixels, restoreAndWait } from './fixtures.ts';

const W = 192, H = 144;

type Region = Awaited<ReturnType<typeof appState>>['review']['regions'][number];

/** Noisy on the left, clean on the right: the denoiser's regions are on the left, the right has none. */
async function halfNoisyPng() {
  const noisy = photoPixels(W, H, 40, 3), clean = photoPixels(W, H, 2, 3);
  for (let y = 0; y < H; y++) noisy.set(clean.subarray((y * W + W / 2) * 3, (y + 1) * W * 3), (y * W + W / 2) * 3);
  return sharp(noisy, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

/** A pixel well inside the region: its mask cell and the cells around it are all in it. */
function innerPixel(r: Region): [number, number] | undefined {
  const mw = Math.ceil((r.rect.x1 - r.rect.x0) / r.cell), mh = Math.ceil((r.rect.y1 - r.rect.y0) / r.cell);
  const at = (cx: number, cy: number) => cx >= 0 && cy >= 0 && cx < mw && cy < mh && r.mask![cy * mw + cx] === 1;
  for (let cy = 0; cy < mh; cy++) {
    for (let cx = 0; cx < mw; cx++) {
      if ([-1, 0, 1].every((dy) => [-1, 0, 1].every((dx) => at(cx + dx, cy + dy)))) return [r.rect.x0 + (cx + 0.5) * r.cell, r.rect.y0 + (cy + 0.5) * r.cell];
    }
  }
  const first = r.mask!.indexOf(1);
  return first < 0 ? undefined : [r.rect.x0 + ((first % mw) + 0.5) * r.cell, r.rect.y0 + (Math.floor(first / mw) + 0.5) * r.cell];
}

test('region outlines: hidden until hovered, selected or asked for; a click on the photo selects a region', async ({ page }) => {
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  await openPhoto(page, await halfNoisyPng(), 'family.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  const regions = (await appState(page)).review.regions;
  expect(regions.length).toBeGreaterThan(1);
  const paths = page.locator('.outlines path');
  await expect(paths).toHaveCount(regions.length);
  for (const r of regions) await expect(page.locator(`.outlines path[data-region="${r.id}"]`)).toBeHidden();

  const box = (await page.getByTestId('photo-surface').boundingBox())!;
  const client = ([x, y]: [number, number]) => [box.x + (x / W) * box.width, box.y + (y / H) * box.height] as const;

  // Hovering a region outlines it; leaving the photo hides it again.
  const [a, b] = regions;
  await page.mouse.move(...client(innerPixel(b)!));
  await expect(page.locator(`.outlines path[data-region="${b.id}"]`)).toBeVisible();
  await expect(page.locator(`.outlines path[data-region="${a.id}"]`)).toBeHidden();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
  await expect(page.locator(`.outlines path[data-region="${b.id}"]`)).toBeHidden();

  // A click on the photo selects the region under it: outlined, and pressed in the list.
  await page.mouse.click(...client(innerPixel(a)!));
  await expect.poll(async () => (await appState(page)).selectedRegion).toBe(a.id);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
  await expect(page.locator(`.outlines path.selected[data-region="${a.id}"]`)).toBeVisible();
  await expect(page.getByTestId('review-panel').locator(`[data-region="${a.id}"] .region-name`)).toHaveAttribute('aria-pressed', 'true');

  // A click where no region is clears the selection (the clean right half has none).
  const empty: [number, number] = [W - 4, H - 4];
  expect(regions.some((r) => r.rect.x1 > empty[0] - 8 && r.rect.y1 > empty[1] - 8)).toBe(false);
  await page.mouse.click(...client(empty));
  await expect.poll(async () => (await appState(page)).selectedRegion).toBeNull();
  await expect(page.locator(`.outlines path[data-region="${a.id}"]`)).toBeHidden();

  // The toggle shows them all.
  await page.getByRole('checkbox', { name: 'Outlines' }).check();
  for (const r of regions) await expect(page.locator(`.outlines path[data-region="${r.id}"]`)).toBeVisible();
  await page.getByRole('checkbox', { name: 'Outlines' }).uncheck();
  await expect(page.locator(`.outlines path[data-region="${a.id}"]`)).toBeHidden();
});
