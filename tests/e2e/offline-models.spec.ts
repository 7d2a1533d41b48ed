import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { pickVariant, type ModelManifest } from '../../src/engine/models/manifest.ts';
import { expectReport, noisyPng, openPhoto } from './fixtures.ts';

const manifest = JSON.parse(readFileSync(new URL('../../public/models/manifest.json', import.meta.url), 'utf8')) as ModelManifest;
/** The file of the newest model of each task that the WASM backend runs (what the app saves for offline use). */
const wasmFiles = [...new Set(manifest.models.filter((m) => !m.testOnly).map((m) => m.task))].map(
  (task) => `/models/${pickVariant(manifest.models.filter((m) => m.task === task && !m.testOnly).at(-1)!, 'wasm').file}`,
);

const cachedModels = (page: Page) =>
  page.evaluate(async () => (await (await caches.open('heirloom-models-v1')).keys()).map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('.onnx')));

test('the first visit saves every model this device would run, in the background, with its progress shown', async ({ page }) => {
  expect(wasmFiles.length).toBeGreaterThanOrEqual(4);
  const status = page.getByTestId('offline-models');
  await page.goto('/?backend=wasm');
  // Progress in bytes while it saves, then the total once done.
  await expect(status).toContainText(/Saving repair models for offline use: .* \/ .*MB|Works offline/);
  await expect(status).toContainText(/Works offline: repair models saved \(\d+(\.\d)? MB\)/, { timeout: 120_000 });
  expect((await cachedModels(page)).sort()).toEqual([...wasmFiles].sort());
});

test('on a metered connection nothing is fetched until the user says so, once or always', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: true, type: 'cellular', effectiveType: '4g' } }));
  const modelRequests: string[] = [];
  page.on('request', (r) => r.url().endsWith('.onnx') && modelRequests.push(r.url()));
  await page.goto('/?backend=wasm');
  const status = page.getByTestId('offline-models');
  await expect(status).toContainText('Repair models not saved for offline use (metered connection)');
  await page.waitForTimeout(1000);
  expect(modelRequests).toEqual([]);
  expect(await cachedModels(page)).toEqual([]);

  // Always, from the setting (next to the storage figures): it starts at once.
  await openPhoto(page, await noisyPng(64, 48, 10), 'photo.png');
  await expectReport(page, 120_000);
  await page.getByText('Saved projects & storage').click();
  await page.getByRole('checkbox', { name: /on metered connections too/ }).check();
  await expect(status).toContainText('Works offline', { timeout: 120_000 });
  expect((await cachedModels(page)).sort()).toEqual([...wasmFiles].sort());
  expect(await page.evaluate(() => localStorage.getItem('heirloom-models-on-metered'))).toBe('1');
});

test('on a metered connection "Save them now" saves the models once', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: false, type: 'cellular' } }));
  await page.goto('/?backend=wasm');
  const status = page.getByTestId('offline-models');
  await expect(status).toContainText('(metered connection)');
  await status.getByRole('button', { name: 'Save them now' }).click();
  await expect(status).toContainText('Works offline', { timeout: 120_000 });
  expect((await cachedModels(page)).sort()).toEqual([...wasmFiles].sort());
  expect(await page.evaluate(() => localStorage.getItem('heirloom-models-on-metered'))).toBeNull();
});

test('a photo analysed without a model is analysed again once the models are saved', async ({ page, context }) => {
  // The colour model cannot be fetched (as if offline before it was ever saved).
  const block = (route: import('@playwright/test').Route) => route.abort('internetdisconnected');
  await context.route('**/models/colour-curves-*.onnx', block);
  await page.goto('/?backend=wasm');
  const status = page.getByTestId('offline-models');
  await expect(status).toContainText('could not be saved for offline use', { timeout: 120_000 });
  await openPhoto(page, await noisyPng(96, 64, 10), 'photo.png');
  await expectReport(page, 120_000);
  const state = () => page.evaluate(() => window.__heirloom!.state());
  let analysis = (await state()).analysis as { missingModels?: string[]; defects: { defect: string; reason: string }[] };
  expect(analysis.missingModels).toEqual(['colour']);
  expect(analysis.defects.find((d) => d.defect === 'colour')!.reason).not.toMatch(/colour model/);

  // Back online: saving the models again brings the colour model, and the photo is analysed with it.
  await context.unroute('**/models/colour-curves-*.onnx', block);
  await status.getByRole('button', { name: 'Save them now' }).click();
  await expect(status).toContainText('Works offline', { timeout: 120_000 });
  await expect.poll(async () => ((await state()).analysis as { missingModels?: string[] }).missingModels ?? [], { timeout: 120_000 }).toEqual([]);
  await expect.poll(async () => (await state()).status).toBe('idle');
  analysis = (await state()).analysis as typeof analysis;
  expect(analysis.defects.find((d) => d.defect === 'colour')!.reason).toMatch(/colour model/);
  await expect(page.getByTestId('analysis-report')).toContainText('colour model');
});
