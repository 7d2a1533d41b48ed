import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { appState, chooseOnly, expectReport, openPhoto, photoPixels, restoreAndWait } from './fixtures.ts';

const W = 192, H = 144;

/** Noisy on the left, clean on the right, so the denoiser's change has a place it is largest (regions to decide on). */
async function halfNoisyPng() {
  const noisy = photoPixels(W, H, 40, 3), clean = photoPixels(W, H, 2, 3);
  for (let y = 0; y < H; y++) noisy.set(clean.subarray((y * W + W / 2) * 3, (y + 1) * W * 3), (y * W + W / 2) * 3);
  return sharp(noisy, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

test('Restore again asks before setting the review aside, and Undo brings the review back', async ({ page }) => {
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  await openPhoto(page, await halfNoisyPng(), 'family.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  const first = await appState(page);
  const target = first.review.regions[0];
  expect(target).toBeDefined();
  const review = page.getByTestId('review-panel');
  await review.locator(`[data-region="${target.id}"]`).getByRole('button', { name: 'Reject' }).click();
  const accepted = async (id: string) => (await appState(page)).review.regions.find((r) => r.id === id)?.accepted;
  await expect.poll(() => accepted(target.id)).toBe(false);

  // Asked first, in the app; "Keep reviewing" changes nothing.
  const again = page.getByRole('button', { name: 'Restore again' });
  const dialog = page.getByRole('alertdialog', { name: 'Restore again?' });
  await again.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('1 area kept or rejected');
  await dialog.getByRole('button', { name: 'Keep reviewing' }).click();
  await expect(dialog).toBeHidden();
  let state = await appState(page);
  expect(state.result!.finishedAt).toBe(first.result!.finishedAt);
  expect(state.status).toBe('idle');
  expect(await accepted(target.id)).toBe(false);

  // Confirmed: a new run with a fresh review.
  await again.click();
  await dialog.getByRole('button', { name: 'Restore again' }).click();
  await expect.poll(async () => (await appState(page)).result!.finishedAt).not.toBe(first.result!.finishedAt);
  await expect.poll(async () => (await appState(page)).status).toBe('idle');
  state = await appState(page);
  const second = state.result!.finishedAt;
  expect(state.runs).toEqual({ back: true, forward: false });
  expect(state.review.regions.every((r) => r.accepted)).toBe(true);
  await expect(page.getByTestId('previous-run-note')).toBeVisible();

  // Undo: the previous run and its rejected region; Redo: the new run again.
  await review.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect.poll(async () => (await appState(page)).result!.finishedAt).toBe(first.result!.finishedAt);
  expect(await accepted(target.id)).toBe(false);
  expect((await appState(page)).runs).toEqual({ back: false, forward: true });
  await review.getByRole('button', { name: 'Redo', exact: true }).click();
  await expect.poll(async () => (await appState(page)).result!.finishedAt).toBe(second);
  expect((await appState(page)).review.regions.every((r) => r.accepted)).toBe(true);

  // With nothing decided there is nothing to lose: no question.
  await again.click();
  await expect.poll(async () => (await appState(page)).result!.finishedAt).not.toBe(second);
  await expect(dialog).toBeHidden();
});
