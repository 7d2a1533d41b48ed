import { test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { chooseOnly, expectReport, FRESH_PROFILE, markWholeStrokes, noisyPng, openPhoto, restoreAndWait, TINY } from './fixtures.ts';

// Review aid, not a check: HEIRLOOM_SHOTS=/tmp/shots npx playwright test screenshots
const dir = process.env.HEIRLOOM_SHOTS;

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`screenshot after a restore (${label})`, async ({ page }) => {
    test.skip(!dir, 'set HEIRLOOM_SHOTS to a folder to take screenshots');
    mkdirSync(dir!, { recursive: true });
    await page.setViewportSize(viewport);
    await page.goto(TINY);
    await openPhoto(page, await noisyPng(600, 400, 25), 'grandparents-1962.png');
    await expectReport(page);
    await chooseOnly(page, 'denoise');
    await restoreAndWait(page);
    await page.screenshot({ path: `${dir}/${label}.png`, fullPage: label === 'phone' });

    // The review with a region rejected, one open for a redo, and damage being marked.
    const review = page.getByTestId('review-panel');
    const rows = review.locator('li.region');
    await rows.first().getByRole('button', { name: 'Reject' }).click();
    await rows.first().getByRole('button', { name: /^Area/ }).click();
    if ((await rows.count()) > 1) await rows.nth(1).getByRole('button', { name: 'Redo…' }).click();
    await review.getByRole('button', { name: 'Mark damage to fill…' }).click();
    // The photo has no scratch to snap to: show a whole stroke marked.
    await markWholeStrokes(page);
    const box = (await page.getByTestId('photo-surface').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 10 });
    await page.mouse.up();
    await page.screenshot({ path: `${dir}/${label}-review.png` });
  });
}

test.describe('first visit', () => {
  test.use({ storageState: FRESH_PROFILE, viewport: { width: 390, height: 844 } });
  test('screenshot of the first-run dialog (phone)', async ({ page }) => {
    test.skip(!dir, 'set HEIRLOOM_SHOTS to a folder to take screenshots');
    mkdirSync(dir!, { recursive: true });
    await page.goto('/');
    await page.getByRole('dialog', { name: 'Welcome to Heirloom' }).waitFor();
    await page.screenshot({ path: `${dir}/first-run-phone.png` });
  });
});
