import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { appState, brush as brushOn, chooseOnly, expectReport, openPhoto, restoreAndWait } from './fixtures.ts';

const W = 256, H = 192;
const LINE = { from: [40, 150], to: [150, 40] } as const;
const HOLE = { x: 200, y: 140, r: 16 };

/** A smooth photo with a bright scratch across it and a hole showing the scanner lid. */
async function damagedPhoto() {
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      px[p] = 70 + (100 * x) / W + 20 * Math.sin(y / 17);
      px[p + 1] = 60 + (90 * y) / H + 15 * Math.cos(x / 23);
      px[p + 2] = 50 + 40 * Math.sin((x + y) / 29);
      // Scratch: 3 px wide, soft edge, white paper showing through the emulsion.
      const [x0, y0] = LINE.from, [x1, y1] = LINE.to;
      const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2)));
      const d = Math.hypot(x - (x0 + t * (x1 - x0)), y - (y0 + t * (y1 - y0)));
      const a = Math.max(0, Math.min(1, 2 - d));
      // Hole: the lid's cream colour, slightly irregular edge.
      const hole = Math.hypot(x - HOLE.x, y - HOLE.y) < HOLE.r * (1 + 0.12 * Math.sin(Math.atan2(y - HOLE.y, x - HOLE.x) * 5));
      const lid = [242, 237, 224];
      for (let c = 0; c < 3; c++) px[p + c] = hole ? lid[c] : px[p + c] * (1 - a) + 245 * a;
    }
  }
  return sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

const brush = (page: Page, from: readonly [number, number], to: readonly [number, number]) => brushOn(page, [W, H], from, to);

type RegionView = NonNullable<Awaited<ReturnType<typeof appState>>['review']>['regions'][number];

function covers(r: RegionView, x: number, y: number) {
  if (x < r.rect.x0 || y < r.rect.y0 || x >= r.rect.x1 || y >= r.rect.y1) return false;
  return !!r.mask![(y - r.rect.y0) * (r.rect.x1 - r.rect.x0) + x - r.rect.x0];
}

/** The reviewed photo's pixel (the result canvas shows the composed review). */
function resultPixel(page: Page, x: number, y: number) {
  return page.evaluate(([x, y]) => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="result-canvas"]')!;
    return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [x, y]);
}


test('found damage: the scratch is filled at once, the hole after confirming; a found region is brushed and its fill redone', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await openPhoto(page, await damagedPhoto(), 'scratched.png');
  await expectReport(page);
  // The analysis measured the damage with the detector and proposes the fill.
  await expect(page.locator('[data-defect="damage"]')).not.toHaveClass(/verdict-none/);
  await expect(page.locator('input[name="stage-fill"]')).toBeChecked();
  await chooseOnly(page, 'fill');
  await restoreAndWait(page);

  await expect(page.getByTestId('result-summary')).not.toContainText('follow'); // not asked
  const regions = (await appState(page)).review!.regions.filter((r) => r.stage === 'fill');
  const mid = [95, 95] as const; // on the scratch
  const scratch = regions.find((r) => r.damageClass === 'defect' && covers(r, ...mid));
  const hole = regions.find((r) => r.damageClass === 'missing' && covers(r, HOLE.x, HOLE.y));
  expect(scratch, JSON.stringify(regions.map((r) => [r.damageClass, r.rect]))).toBeTruthy();
  expect(hole).toBeTruthy();
  expect(scratch!.confidence).toBeGreaterThan(0.5);
  expect([scratch!.accepted, hole!.accepted, hole!.needsConfirm, hole!.invented]).toEqual([true, false, true, true]);

  // The scratch is gone from the reviewed photo; the hole is still the lid until confirmed.
  const onLine = await resultPixel(page, ...mid);
  expect(Math.min(...onLine)).toBeLessThan(200);
  expect(await resultPixel(page, HOLE.x, HOLE.y)).toEqual([242, 237, 224]);
  const review = page.getByTestId('review-panel');
  const holeRow = review.locator(`[data-region="${hole!.id}"]`);
  await expect(holeRow.getByTestId('needs-confirm')).toBeVisible();
  await holeRow.getByRole('button', { name: 'Fill it' }).click();
  await expect.poll(async () => (await appState(page)).review!.regions.find((r) => r.id === hole!.id)!.accepted).toBe(true);
  await expect.poll(async () => resultPixel(page, HOLE.x, HOLE.y)).not.toEqual([242, 237, 224]);

  // Edit the found scratch: erase its lower-left end (say it was not damage), then redo its fill.
  await review.locator(`[data-region="${scratch!.id}"]`).getByRole('button', { name: 'Edit mask…' }).click();
  await expect(page.getByTestId('mark-tools')).toBeVisible();
  const before = (await appState(page)).review!.marking!.markedPixels;
  expect(before).toBeGreaterThanOrEqual(scratch!.pixels);
  await page.getByRole('button', { name: 'Eraser' }).click();
  await page.getByRole('slider', { name: 'Brush size' }).fill('16');
  await brush(page, [34, 156], [62, 128]);
  await expect.poll(async () => (await appState(page)).review!.marking!.markedPixels).toBeLessThan(before);
  await page.getByRole('button', { name: 'Redo fill' }).click();
  await expect.poll(async () => (await appState(page)).review!.marking).toBeNull();
  const after = (await appState(page)).review!.regions.filter((r) => r.stage === 'fill');
  // The found region is rejected (kept in the record), the brushed version replaces it.
  expect(after.find((r) => r.id === scratch!.id)!.accepted).toBe(false);
  const redone = after.filter((r) => r.id.includes('marked') && r.accepted);
  expect(redone.length).toBeGreaterThan(0);
  expect(redone.some((r) => covers(r, ...mid))).toBe(true);
  expect(redone.some((r) => covers(r, 45, 145))).toBe(false);
  // Where the scratch was erased from the mask the original pixels (the scratch) are back.
  expect(Math.min(...(await resultPixel(page, 45, 145)))).toBeGreaterThan(200);
  expect(Math.min(...(await resultPixel(page, ...mid)))).toBeLessThan(200);
});

test('following cracks further is off unless asked; asked, the fill says what it did', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await openPhoto(page, await damagedPhoto(), 'scratched.png');
  await expectReport(page);
  await chooseOnly(page, 'fill');
  const follow = page.locator('input[name="fill-follow-cracks"]');
  await expect(follow).not.toBeChecked();
  await follow.check();
  await restoreAndWait(page);
  // The detector found all of the scratch: there was nothing more to follow, and the record says so.
  await expect(page.getByTestId('result-summary')).toContainText('asked to follow cracks further; no crack went on along a bright line');
});
