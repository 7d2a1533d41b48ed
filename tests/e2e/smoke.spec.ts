import { expect, test, type Page } from '@playwright/test';
import { appState, canvasDifference, chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait, runtimeInfo } from './fixtures.ts';

/** Open → analyse → restore (denoise, tiny model) → result. */
async function smokeFlow(page: Page, url = '/?backend=wasm&model=denoise=tiny-test') {
  await page.goto(url);
  await openPhoto(page, await noisyPng(160, 120, 25), 'noisy.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);
}

test('engine smoke: a noisy photo is analysed and restored on WASM with threads', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  await smokeFlow(page);

  const info = await runtimeInfo(page);
  expect(info.backend).toBe('wasm');
  expect(info.crossOriginIsolated).toBe(true);
  expect(info.threads).toBeGreaterThan(1);
  await expect(page.getByTestId('runtime-status')).toContainText('cross-origin isolated');

  const state = await appState(page);
  expect(state.error).toBeNull();
  expect(state.photo).toMatchObject({ width: 160, height: 120 });
  expect(state.result).toMatchObject({ width: 160, height: 120 });
  expect(state.result!.stages).toEqual([expect.objectContaining({ stage: 'denoise', method: 'model', model: 'tiny-test' })]);
  expect(state.result!.changed).toBeGreaterThan(0.1);
  // The pixels on screen changed too, not only the numbers in the store.
  expect(await canvasDifference(page)).toBeGreaterThan(1);
  expect(problems).toEqual([]);
});

test('network audit: every request of the smoke flow stays on our origin', async ({ page, context, baseURL }) => {
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  await smokeFlow(page);
  const origin = new URL(baseURL!).origin;
  expect(urls.length).toBeGreaterThan(5);
  // The model and the ORT wasm were fetched (so the audit saw the worker's requests too).
  expect(urls.some((u) => u.endsWith('/models/tiny-test-fp32.onnx'))).toBe(true);
  const foreign = urls.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(foreign).toEqual([]);
});

test('the file picker outlives the switch from the welcome screen to the workspace', async ({ page }) => {
  // A picker opened on the welcome screen must still deliver its file if the screen is replaced
  // meanwhile (a resumed project, a photo dropped on the page): the input is the app's, not the screen's.
  await page.goto('/?backend=wasm');
  const input = await page.getByTestId('file-input').elementHandle();
  await openPhoto(page, await noisyPng(64, 48), 'first.png');
  await expectReport(page);
  expect(await input!.evaluate((el) => el.isConnected)).toBe(true);
  await input!.setInputFiles({ name: 'second.png', mimeType: 'image/png', buffer: await noisyPng(72, 40) });
  await expect.poll(async () => (await appState(page)).photo?.name).toBe('second.png');
  await expectReport(page);
});
