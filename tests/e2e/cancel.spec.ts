import { expect, test } from '@playwright/test';
import { appState, chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait, TINY } from './fixtures.ts';

test('cancel stops a run at once, keeps the previous result, and a new restore works', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(TINY);
  await openPhoto(page, await noisyPng(1500, 1000, 20), 'large.png');
  await expectReport(page, 150_000);
  await chooseOnly(page, 'denoise');

  // A first complete run gives a result that cancelling must not lose.
  await restoreAndWait(page);
  const first = (await appState(page)).result!;
  expect(first.width).toBe(1500);

  // Second run: cancel once tiles are being processed.
  await page.getByRole('button', { name: /^Restore/ }).click();
  await expect.poll(async () => (await appState(page)).progress[0]?.done ?? 0, { intervals: [100] }).toBeGreaterThan(0);
  const before = (await appState(page)).progress[0];
  expect(before.done).toBeLessThan(before.total);
  await page.getByRole('button', { name: 'Cancel' }).click();

  let state = await appState(page);
  expect(state.status).toBe('idle');
  expect(state.progress).toEqual([]);
  expect(state.result).toEqual(first);
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(page.getByTestId('result-canvas')).toBeVisible();
  // Nothing keeps running behind the scenes: no progress, no error, no new result.
  await page.waitForTimeout(1500);
  state = await appState(page);
  expect(state.progress).toEqual([]);
  expect(state.error).toBeNull();
  expect(state.result).toEqual(first);

  // The fresh worker restores again.
  await page.getByRole('button', { name: /^Restore/ }).click();
  await expect.poll(async () => (await appState(page)).status).toBe('restoring');
  await expect.poll(async () => (await appState(page)).status, { timeout: 200_000 }).toBe('idle');
  state = await appState(page);
  expect(state.error).toBeNull();
  expect(state.result).toMatchObject({ width: 1500, height: 1000 });
  expect(state.result!.stages[0]).toMatchObject({ stage: 'denoise', method: 'model' });
});
