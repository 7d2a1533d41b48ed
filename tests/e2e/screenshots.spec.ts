import { test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { chooseOnly, expectReport, FRESH_PROFILE, noisyPng, openPhoto, restoreAndWait, TINY } from './fixtures.ts';

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
