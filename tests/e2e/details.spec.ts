import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { appState, chooseOnly, expectReport, FRESH_PROFILE, markWholeStrokes, noisyPng, openPhoto, photoPixels, restoreAndWait } from './fixtures.ts';

const TINY_WASM = '/?backend=wasm&model=denoise=tiny-test';

/** Noisy on the left, clean on the right, so the denoiser's change has regions to decide on. */
async function halfNoisyPng(W = 192, H = 144) {
  const noisy = photoPixels(W, H, 40, 3), clean = photoPixels(W, H, 2, 3);
  for (let y = 0; y < H; y++) noisy.set(clean.subarray((y * W + W / 2) * 3, (y + 1) * W * 3), (y * W + W / 2) * 3);
  return sharp(noisy, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement;
  return el && el !== document.body ? (el.getAttribute('data-testid') ?? el.textContent) : null;
});

test('the zoom label says how large the photo is shown, not 100% when fitted', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await openPhoto(page, await noisyPng(400, 300, 10), 'small.png');
  await expectReport(page);
  const shown = (await page.getByTestId('photo-surface').boundingBox())!.width;
  expect(shown).toBeGreaterThan(600);
  const label = page.getByTestId('zoom-level');
  await expect(label).toHaveText(`${Math.round((shown / 400) * 100)}%`);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(label).toHaveText(`${Math.round((shown / 400) * 125)}%`);
});

test('keyboard focus stays in the app after opening a photo and after a restore', async ({ page }) => {
  await page.goto(TINY_WASM);
  await page.getByRole('button', { name: 'Open a photo' }).focus();
  await openPhoto(page, await noisyPng(160, 120, 25), 'noisy.png');
  await expectReport(page);
  expect(await focused(page)).toBe('photo-viewport');
  await chooseOnly(page, 'denoise');
  await page.getByRole('button', { name: /^Restore$/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('result-canvas')).toBeVisible({ timeout: 150_000 });
  await expect.poll(async () => (await appState(page)).status).toBe('idle');
  await expect(page.getByRole('button', { name: 'Restore again' })).toBeFocused();
});

test('"Keep all" is pressed only while every area is kept; the panel\'s parts do not overlap', async ({ page }) => {
  await page.goto(TINY_WASM);
  await openPhoto(page, await halfNoisyPng(), 'family.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  // Nothing in the panel is drawn over its neighbour (a list squeezed by the panel's height spilled over the next part).
  const overlaps = await page.evaluate(() => {
    const out: string[] = [];
    const check = (parent: Element) => {
      // The Restore bar is sticky: it is meant to sit over what scrolls under it.
      const kids = [...parent.children].filter((k) => (k as HTMLElement).offsetParent !== null && !k.classList.contains('action-bar'));
      for (let i = 1; i < kids.length; i++) {
        const a = kids[i - 1].getBoundingClientRect(), b = kids[i].getBoundingClientRect();
        if (a.bottom > b.top + 0.5) out.push(`${kids[i - 1].className} / ${kids[i].className}: ${a.bottom} > ${b.top}`);
      }
    };
    check(document.querySelector('.panel')!);
    for (const s of document.querySelectorAll('.review, .review-stage')) check(s);
    return out;
  });
  expect(overlaps).toEqual([]);

  const stage = page.locator('.review-stage[data-stage="denoise"]');
  const keepAll = stage.getByRole('button', { name: 'Keep all' });
  const undoAll = stage.getByRole('button', { name: 'Undo all' });
  await expect(keepAll).toHaveAttribute('aria-pressed', 'true');
  const first = (await appState(page)).review.regions[0];
  await stage.locator(`[data-region="${first.id}"]`).getByRole('button', { name: 'Reject' }).click();
  await expect(keepAll).toHaveAttribute('aria-pressed', 'false');
  await expect(undoAll).toHaveAttribute('aria-pressed', 'false');
  await undoAll.click();
  await expect(undoAll).toHaveAttribute('aria-pressed', 'true');
  await keepAll.click();
  await expect(keepAll).toHaveAttribute('aria-pressed', 'true');
});

test('a long region list is neither clipped nor overlapped by its "Show all" link', async ({ page }) => {
  const W = 192, H = 144;
  await page.goto(TINY_WASM);
  await openPhoto(page, await halfNoisyPng(W, H), 'family.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);
  // Mark 30 separate specks and fill them: 30 regions of the fill stage, more than the list shows at first.
  await page.getByRole('button', { name: 'Mark damage to fill…' }).click();
  await markWholeStrokes(page);
  const box = (await page.getByTestId('photo-surface').boundingBox())!;
  for (let i = 0; i < 30; i++) {
    const x = 12 + (i % 6) * 32, y = 12 + Math.floor(i / 6) * 28;
    await page.mouse.click(box.x + (x / W) * box.width, box.y + (y / H) * box.height);
  }
  await page.getByRole('button', { name: 'Fill marked area' }).click();
  await expect.poll(async () => (await appState(page)).review.regions.filter((r) => r.stage === 'fill').length, { timeout: 120_000 }).toBe(30);
  const stage = page.locator('.review-stage[data-stage="fill"]');
  const showAll = stage.getByRole('button', { name: 'Show all 30' });
  await expect(showAll).toBeVisible();
  const list = stage.locator('ol.regions');
  const layout = async () => list.evaluate((el) => ({ clipped: el.scrollHeight > el.clientHeight + 1, bottom: el.getBoundingClientRect().bottom }));
  let l = await layout();
  expect(l.clipped).toBe(false);
  expect((await showAll.boundingBox())!.y).toBeGreaterThanOrEqual(l.bottom - 0.5);
  await expect(list.locator('li.region')).toHaveCount(25);
  await showAll.click();
  await expect(list.locator('li.region')).toHaveCount(30);
  l = await layout();
  expect(l.clipped).toBe(false);
});

test.describe('first visit', () => {
  test.use({ storageState: FRESH_PROFILE });
  test('the welcome dialog says it repairs scratches and tears', async ({ page }) => {
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'Welcome to Heirloom' });
    await expect(dialog).toContainText(/scratches/);
    await expect(dialog).toContainText(/tears/);
  });
});

test('a reopened project still says how the blur stage worked (camera-shake deconvolution)', async ({ page }) => {
  // A horizontal 9 px camera shake over a clean photo.
  const W = 256, H = 192;
  const shaken = await sharp(photoPixels(W, H, 2, 11), { raw: { width: W, height: H, channels: 3 } })
    .convolve({ width: 9, height: 9, kernel: Array.from({ length: 81 }, (_, i) => (i >= 36 && i < 45 ? 1 : 0)) })
    .png()
    .toBuffer();
  await page.goto('/?backend=wasm');
  await openPhoto(page, shaken, 'shaken.png');
  await expectReport(page, 120_000);
  // the analysis' shake search (run in the worker's own helper) found it
  await expect(page.getByTestId('analysis-report')).toContainText('Camera shake');
  await chooseOnly(page, 'deblur');
  await restoreAndWait(page);
  const summary = page.getByTestId('result-summary');
  await expect(summary).toContainText('deconvolution by the camera shake');
  await expect.poll(async () => (await appState(page)).projects.some((p) => p.stages.includes('deblur'))).toBe(true);
  await page.reload();
  await expect(page.getByTestId('result-canvas')).toBeVisible();
  await expect(summary).toContainText('deconvolution by the camera shake');
  await expect(summary).not.toContainText('classical method');
});
