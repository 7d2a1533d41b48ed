import { expect, test } from '@playwright/test';
import { runtimeInfo } from './fixtures.ts';

// Default headless flags (--disable-gpu, no --enable-unsafe-webgpu): no WebGPU adapter.
test('without WebGPU, auto picks WASM and says why', async ({ page }) => {
  await page.goto('/?backend=auto');
  const info = await runtimeInfo(page);
  expect(info.backend).toBe('wasm');
  expect(info.fallbackReason).toMatch(/WebGPU/);
  // The reason is shown to the user, not only recorded.
  await expect(page.getByTestId('runtime-status')).toContainText(info.fallbackReason!);
});

test('?backend=wasm skips the GPU probe: WASM, no fallback to report', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const info = await runtimeInfo(page);
  expect(info.backend).toBe('wasm');
  expect(info.fallbackReason).toBeUndefined();
});
