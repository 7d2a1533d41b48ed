import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { parseEditRecord } from '../../src/app/export/record.ts';
import { appState, canvasDifference, chooseOnly, expectReport, FRESH_PROFILE, openPhoto, photoPixels, restoreAndWait } from './fixtures.ts';

const URL_WASM_TINY = '/?backend=wasm&model=denoise=tiny-test';

/** A camera JPEG: its EXIF names the camera. */
function cameraJpeg(width = 160, height = 120) {
  return sharp(photoPixels(width, height, 20), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'HeirloomTestCam' } })
    .toBuffer();
}

async function downloadFrom(page: Page, button: Locator, filename: string) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toBe(filename);
  return readFile((await download.path())!);
}

const exportJpeg = (page: Page, panel: Locator) => downloadFrom(page, panel.getByRole('button', { name: /^Download JPEG/ }), 'camera-restored.jpg');

test('export keeps EXIF and records the edits; a reload brings the project back; "Delete everything" leaves nothing', async ({ page }) => {
  await page.goto(URL_WASM_TINY);
  await openPhoto(page, await cameraJpeg(), 'camera.jpg', 'image/jpeg');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  // (a) JPEG export: full size, the original's EXIF, and the record of the edit in XMP.
  const panel = page.getByTestId('export-panel');
  await panel.getByRole('radio', { name: 'JPEG' }).check();
  const file = await exportJpeg(page, panel);
  const meta = await sharp(file).metadata();
  expect(meta).toMatchObject({ format: 'jpeg', width: 160, height: 120 });
  expect(meta.exif?.toString('latin1')).toContain('HeirloomTestCam');
  const record = parseEditRecord(meta.xmp!.toString('utf8'))!;
  expect(record).toMatchObject({ app: 'Heirloom', source: 'camera.jpg', contentGenerated: false });
  expect(record.stages).toEqual([expect.objectContaining({ stage: 'denoise', method: 'model', model: expect.objectContaining({ id: 'tiny-test' }) })]);
  expect(record.stages[0].changedShare).toBeGreaterThan(0.1);

  // PNG and WebP carry the same metadata; the before/after image is the two side by side.
  for (const [format, ext] of [['PNG', 'png'], ['WebP', 'webp']] as const) {
    await panel.getByRole('radio', { name: format }).check();
    const m = await sharp(await downloadFrom(page, panel.getByRole('button', { name: `Download ${format}` }), `camera-restored.${ext}`)).metadata();
    expect(m).toMatchObject({ format: ext, width: 160, height: 120 });
    expect(m.exif?.toString('latin1')).toContain('HeirloomTestCam');
    expect(parseEditRecord(m.xmp!.toString('utf8'))?.stages[0].stage).toBe('denoise');
  }
  const pair = await sharp(await downloadFrom(page, panel.getByRole('button', { name: /before\/after/ }), 'camera-before-after.png')).metadata();
  expect(pair).toMatchObject({ format: 'png', height: 120 });
  expect(pair.width).toBeGreaterThan(320);
  await panel.getByRole('radio', { name: 'JPEG' }).check();

  // Without the record: no XMP at all, EXIF still there.
  await panel.getByRole('checkbox', { name: 'Include a record of the edits' }).uncheck();
  const bare = await sharp(await exportJpeg(page, panel)).metadata();
  expect(bare.xmp).toBeUndefined();
  expect(bare.exif?.toString('latin1')).toContain('HeirloomTestCam');

  // (b) Reload mid-review: the project and its result come back, pixels included.
  await expect.poll(async () => (await appState(page)).projects.map((p) => p.stages), { timeout: 60_000 }).toEqual([['denoise']]);
  const difference = await canvasDifference(page);
  await page.reload();
  await expect(page.getByTestId('result-canvas')).toBeVisible();
  const state = await appState(page);
  expect(state.photo).toMatchObject({ name: 'camera.jpg', width: 160, height: 120 });
  expect(state.result!.stages).toEqual([expect.objectContaining({ stage: 'denoise', method: 'model', model: 'tiny-test' })]);
  expect(await canvasDifference(page)).toBeCloseTo(difference, 6);
  // The original's bytes came back too: its EXIF is still exported.
  const again = await sharp(await exportJpeg(page, page.getByTestId('export-panel'))).metadata();
  expect(again.exif?.toString('latin1')).toContain('HeirloomTestCam');

  // (c) Delete everything: after a reload nothing of the user's remains; the model cache stays.
  await page.getByText('Saved projects & storage').click();
  await expect(page.getByTestId('storage-used')).toBeVisible();
  await page.getByTestId('projects').getByRole('button', { name: 'Delete everything' }).click();
  const confirm = page.getByTestId('confirm-delete-all');
  await expect(confirm).toContainText('models stay');
  await confirm.getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByRole('button', { name: 'Open a photo' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Open a photo' })).toBeVisible();
  await expect(page.getByTestId('result-canvas')).toHaveCount(0);
  await expect(page.getByTestId('projects')).toHaveCount(0);
  const left = await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    project: window.__heirloom!.state().project,
  }));
  expect(left.databases).toEqual([]);
  expect(left.project).toBeNull();
  expect(left.caches).toContain('heirloom-models-v1');
});

test.describe('first run', () => {
  test.use({ storageState: FRESH_PROFILE, viewport: { width: 390, height: 844 } });

  test('the dialog shows on a fresh profile, closes from the keyboard, stays closed, and comes back from About', async ({ page }) => {
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'Welcome to Heirloom' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Everything stays on this device');
    await expect(dialog).toContainText('cannot recover detail');
    await expect(dialog.getByRole('button', { name: 'Got it' })).toBeFocused();
    // It fits a phone screen.
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Open a photo' })).toBeVisible();
    await expect(dialog).toBeHidden();

    await page.getByRole('button', { name: 'About & privacy' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Got it' }).click();
    await expect(dialog).toBeHidden();
  });
});
