import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait } from './fixtures.ts';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };

/** The element at the centre of a locator's box is (inside) the locator itself: it is not covered. */
async function expectUncovered(page: Page, name: RegExp) {
  const button = page.getByRole('button', { name });
  await expect(button).toBeInViewport({ ratio: 1 });
  const box = (await button.boundingBox())!;
  const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent ?? null, [box.x + box.width / 2, box.y + box.height / 2]);
  expect(hit).toMatch(name);
}

for (const size of [LAPTOP, PHONE]) {
  test(`the Restore button is in view without scrolling at ${size.width}x${size.height}`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto('/?backend=wasm&model=denoise=tiny-test');
    await openPhoto(page, await noisyPng(400, 300, 25), 'noisy.png');
    await expectReport(page);
    await expectUncovered(page, /^Restore$/);
    await chooseOnly(page, 'denoise');
    await restoreAndWait(page);
    await expectUncovered(page, /^Restore again$/);
  });
}

test('a failed restore says so beside the Restore button, in view on a phone', async ({ page, context }) => {
  // A model whose bytes do not match its sha256: the run fails on its integrity check.
  const model = readFileSync(new URL('../../public/models/tiny-test-fp32.onnx', import.meta.url));
  const altered = Buffer.from(model);
  altered[altered.length >> 1] ^= 0xff;
  await context.route('**/models/tiny-test-fp32.onnx', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: altered }));
  await page.setViewportSize(PHONE);
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  await openPhoto(page, await noisyPng(400, 300, 25), 'noisy.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await page.getByRole('button', { name: /^Restore$/ }).click();
  const error = page.getByTestId('restore-error');
  await expect(error).toContainText(/integrity check/);
  await expect(error).toBeInViewport({ ratio: 1 });
  // Beside the button: in the same bar, not in the banner at the top of the page.
  await expect(page.getByTestId('restore-bar')).toContainText(/integrity check/);
  await expect(page.getByTestId('page-error')).toBeEmpty();
  await expect(page.getByRole('alert')).toHaveCount(1);
  await error.getByRole('button', { name: 'Dismiss message' }).click();
  await expect(error).toBeEmpty();
});
