import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { appState, chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait, TINY } from './fixtures.ts';

const model = readFileSync(new URL('../../public/models/tiny-test-fp32.onnx', import.meta.url));

test('a model whose sha256 does not match is refused, and the app stays usable', async ({ page, context }) => {
  // Same size, one byte flipped in the middle: only the hash can tell.
  const altered = Buffer.from(model);
  altered[altered.length >> 1] ^= 0xff;
  let served = 0;
  await context.route('**/models/tiny-test-fp32.onnx', (route) => {
    served++;
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: altered });
  });

  await page.goto(TINY);
  await openPhoto(page, await noisyPng(64, 48, 20), 'noisy.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await page.getByRole('button', { name: /^Restore/ }).click();

  await expect(page.getByRole('alert')).toContainText(/integrity check/);
  await expect(page.getByRole('alert')).toContainText('tiny-test-fp32.onnx');
  expect(served).toBeGreaterThan(0);
  let state = await appState(page);
  expect(state.status).toBe('idle');
  expect(state.result).toBeNull();
  await expect(page.getByTestId('result-canvas')).toHaveCount(0);

  // With the real file back, the same page restores.
  await context.unroute('**/models/tiny-test-fp32.onnx');
  await restoreAndWait(page);
  state = await appState(page);
  expect(state.error).toBeNull();
  expect(state.result!.stages[0]).toMatchObject({ stage: 'denoise', method: 'model', model: 'tiny-test' });
});
