import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { parseEditRecord } from '../../src/app/export/record.ts';
import { appState, brush as brushOn, chooseOnly, expectReport, markWholeStrokes, openPhoto, photoPixels, restoreAndWait } from './fixtures.ts';

const W = 192, H = 144;

/** A camera JPEG, noisy on the left and clean on the right, so the denoiser's change has a place it is largest. */
async function halfNoisyJpeg() {
  const noisy = photoPixels(W, H, 40, 3), clean = photoPixels(W, H, 2, 3);
  for (let y = 0; y < H; y++) noisy.set(clean.subarray((y * W + W / 2) * 3, (y + 1) * W * 3), (y * W + W / 2) * 3);
  return sharp(noisy, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).withExif({ IFD0: { Make: 'HeirloomTestCam' } }).toBuffer();
}

type Snapshot = Awaited<ReturnType<typeof appState>>;
const brush = (page: Page, from: readonly [number, number], to: readonly [number, number]) => brushOn(page, [W, H], from, to);

type RegionView = NonNullable<Snapshot['review']>['regions'][number];


function regionPixels(r: RegionView): [number, number][] {
  const mw = Math.ceil((r.rect.x1 - r.rect.x0) / r.cell);
  const out: [number, number][] = [];
  for (let y = r.rect.y0; y < r.rect.y1; y++) {
    for (let x = r.rect.x0; x < r.rect.x1; x++) {
      if (r.mask![Math.floor((y - r.rect.y0) / r.cell) * mw + Math.floor((x - r.rect.x0) / r.cell)]) out.push([x, y]);
    }
  }
  return out;
}

test('review: reject a region, mark damage and redo its fill with an edited mask, undo/redo, export', async ({ page, context, baseURL }) => {
  // Network audit of the whole flow: nothing leaves our origin, and nothing is uploaded.
  const requests: { url: string; method: string }[] = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method() }));
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  await openPhoto(page, await halfNoisyJpeg(), 'family.jpg', 'image/jpeg');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  const review = page.getByTestId('review-panel');
  await expect(review).toBeVisible();
  const before = (await appState(page)).review!;
  const denoiseRegions = before.regions.filter((r) => r.stage === 'denoise');
  expect(denoiseRegions.length).toBeGreaterThan(0);
  // Largest change first, and on the noisy (left) half.
  const target = denoiseRegions[0];
  expect(target.rect.x0).toBeLessThan(W / 2);
  await expect(page.locator('.outlines path')).toHaveCount(before.regions.length);

  const row = review.locator(`[data-region="${target.id}"]`);
  // Selecting it highlights it in the list and on the photo.
  await row.getByRole('button', { name: /^Area 1/ }).click();
  await expect(row.getByRole('button', { name: /^Area 1/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(`.outlines path.selected[data-region="${target.id}"]`)).toHaveCount(1);

  // Redo it softer (the model runs again on a crop around it), then reject it.
  await row.getByRole('button', { name: 'Redo…' }).click();
  await row.getByRole('slider', { name: 'Redo strength' }).fill('30');
  await row.getByRole('button', { name: 'Redo this area' }).click();
  await expect(row.getByText('redone at 30%')).toBeVisible();
  expect((await appState(page)).status).toBe('idle');
  await row.getByRole('button', { name: 'Reject' }).click();
  await expect(row.getByRole('button', { name: 'Reject' })).toHaveAttribute('aria-pressed', 'true');
  expect((await appState(page)).review!.regions.find((r) => r.id === target.id)!.accepted).toBe(false);

  // Mark a "scratch" the app did not find, away from the rejected region, and fill it.
  const inTarget = new Set(regionPixels(target).map(([x, y]) => y * W + x));
  const clear = (x0: number, y0: number) => {
    for (let y = y0 - 6; y <= y0 + 36; y++) for (let x = x0 - 6; x <= x0 + 46; x++) if (x < 0 || y < 0 || x >= W || y >= H || inTarget.has(y * W + x)) return false;
    return true;
  };
  let spot: [number, number] | undefined;
  for (let y = 8; y < H && !spot; y += 4) for (let x = 8; x < W && !spot; x += 4) if (clear(x, y)) spot = [x, y];
  expect(spot, 'a place for the stroke outside the rejected region').toBeDefined();
  const [sx, sy] = spot!;
  await review.getByRole('button', { name: 'Mark damage to fill…' }).click();
  await expect(page.getByTestId('mark-tools')).toBeVisible();
  await markWholeStrokes(page);
  await page.getByRole('slider', { name: 'Brush size' }).fill('4');
  await brush(page, [sx, sy], [sx + 40, sy]);
  await expect.poll(async () => (await appState(page)).review!.marking!.markedPixels).toBeGreaterThan(100);
  await page.getByRole('button', { name: 'Fill marked area' }).click();
  await expect.poll(async () => (await appState(page)).review!.regions.filter((r) => r.stage === 'fill').length).toBe(1);
  const firstFill = (await appState(page)).review!.regions.find((r) => r.stage === 'fill')!;
  expect(firstFill.kind).toBe('damage');
  expect(firstFill.rect.y0).toBeGreaterThan(sy - 6);
  expect(firstFill.rect.y1).toBeLessThan(sy + 6);

  // Redo it with an edited mask: brush a longer stroke down from it.
  await review.locator(`[data-region="${firstFill.id}"]`).getByRole('button', { name: 'Edit mask…' }).click();
  await brush(page, [sx + 36, sy], [sx + 36, sy + 30]);
  await page.getByRole('button', { name: 'Redo fill' }).click();
  await expect.poll(async () => (await appState(page)).review!.regions.filter((r) => r.stage === 'fill').map((r) => r.id)).not.toEqual([firstFill.id]);
  const fills = (await appState(page)).review!.regions.filter((r) => r.stage === 'fill');
  expect(fills).toHaveLength(1);
  expect(fills[0].rect.y1).toBeGreaterThan(sy + 25);
  expect(fills[0].pixels).toBeGreaterThan(firstFill.pixels);

  // Undo brings the first fill back, redo the edited one.
  const undoCount = (await appState(page)).review!.undo;
  expect(undoCount).toBe(4);
  await page.getByTestId('photo-viewport').focus();
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await appState(page)).review!.regions.filter((r) => r.stage === 'fill').map((r) => r.id)).toEqual([firstFill.id]);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await appState(page)).review!.regions.filter((r) => r.stage === 'fill').map((r) => r.id)).toEqual([fills[0].id]);

  // Export: full size, EXIF kept, the record lists the regions, and the rejected region is the original, pixel for pixel.
  const original = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="original-canvas"]')!;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
  const panel = page.getByTestId('export-panel');
  await panel.getByRole('radio', { name: 'PNG' }).check();
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download PNG' }).click()]);
  const file = await readFile((await download.path())!);
  const meta = await sharp(file).metadata();
  expect(meta).toMatchObject({ format: 'png', width: W, height: H });
  expect(meta.exif?.toString('latin1')).toContain('HeirloomTestCam');
  const record = parseEditRecord(meta.xmp!.toString('utf8'))!;
  expect(record.stages.map((s) => s.stage).sort()).toEqual(['denoise', 'fill']);
  expect(record.regions.filter((r) => r.decision === 'rejected')).toEqual([
    expect.objectContaining({ stage: 'denoise', strength: 0.3, box: [target.rect.x0, target.rect.y0, target.rect.x1 - target.rect.x0, target.rect.y1 - target.rect.y0] }),
  ]);
  expect(record.regions.filter((r) => r.marked)).toEqual([expect.objectContaining({ stage: 'fill', decision: 'accepted' })]);

  // Decoded in the browser with colour management off: sharp would convert through the embedded sRGB profile (±1 level).
  const data = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    return Array.from(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data);
  }, file.toString('base64'));
  const inside = regionPixels(target);
  expect(inside.length).toBeGreaterThan(100);
  let differing = 0;
  for (const [x, y] of inside) for (let c = 0; c < 3; c++) if (data[(y * W + x) * 4 + c] !== original[(y * W + x) * 4 + c]) differing++;
  expect(differing).toBe(0);
  // ...while the accepted denoising and the fill did change the photo elsewhere.
  const insideSet = new Set(inside.map(([x, y]) => y * W + x));
  let changedElsewhere = 0;
  for (let p = 0; p < W * H; p++) if (!insideSet.has(p) && Math.abs(data[p * 4] - original[p * 4]) > 2) changedElsewhere++;
  expect(changedElsewhere).toBeGreaterThan(500);
  const filled = regionPixels(fills[0]);
  expect(filled.filter(([x, y]) => Math.abs(data[(y * W + x) * 4] - original[(y * W + x) * 4]) > 0).length).toBeGreaterThan(0);

  const origin = new URL(baseURL!).origin;
  expect(requests.filter((r) => !/^(data|blob):/.test(r.url) && new URL(r.url).origin !== origin)).toEqual([]);
  expect(requests.filter((r) => !['GET', 'HEAD'].includes(r.method))).toEqual([]);

  // A reload mid-review brings the decisions back.
  await expect.poll(async () => (await appState(page)).projects.length, { timeout: 30_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(600); // the decision record is saved shortly after the last change
  await page.reload();
  await expect(page.getByTestId('review-panel')).toBeVisible();
  const reloaded = (await appState(page)).review!;
  expect(reloaded.regions.find((r) => r.id === target.id)?.accepted).toBe(false);
  expect(reloaded.regions.filter((r) => r.stage === 'fill').map((r) => r.id)).toEqual([fills[0].id]);
});
