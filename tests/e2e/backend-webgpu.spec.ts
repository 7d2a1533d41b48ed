import { expect, test } from '@playwright/test';
import { appState, chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait, runtimeInfo } from './fixtures.ts';

// --enable-unsafe-webgpu without --disable-gpu: Chromium offers its SwiftShader (software) adapter.
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
  },
});

test('with a WebGPU adapter the probe reports it, and a restore still works (on WebGPU, or on WASM with the fallback recorded)', async ({ page }) => {
  await page.goto('/?backend=auto&model=denoise=tiny-test');
  const probed = await runtimeInfo(page);
  expect(probed.backend).toBe('webgpu');
  expect(probed.adapter).toBeTruthy();
  expect(probed.shaderF16).toBe(false);
  await expect(page.getByTestId('runtime-status')).toContainText('WebGPU');
  // Chromium's SwiftShader is a CPU renderer: the status line says so.
  if (/swiftshader/i.test(probed.adapter!)) await expect(page.getByTestId('runtime-status')).toContainText('software renderer, no GPU');

  await openPhoto(page, await noisyPng(48, 40, 20), 'small.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  const state = await appState(page);
  expect(state.error).toBeNull();
  expect(state.result!.stages[0]).toMatchObject({ stage: 'denoise', method: 'model', model: 'tiny-test' });
  // Whatever ran it, the app says so: WebGPU with an adapter, or WASM with the reason it fell back.
  const after = state.runtime!;
  test.info().annotations.push({ type: 'backend after restore', description: `${after.backend}${after.fallbackReason ? ` (${after.fallbackReason})` : ''}` });
  if (after.backend === 'webgpu') expect(after.adapter).toBeTruthy();
  else {
    expect(after.fallbackReason).toMatch(/WebGPU/);
    await expect(page.getByTestId('runtime-status')).toContainText(after.fallbackReason!);
  }
  // Either way the pixels changed.
  expect(state.result!.changed).toBeGreaterThan(0.1);
});
