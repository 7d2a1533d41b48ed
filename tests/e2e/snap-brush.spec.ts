import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { appState, brush as brushOn, chooseOnly, expectReport, openPhoto, restoreAndWait } from './fixtures.ts';

const W = 256, H = 192;
const CRACK = { from: [30, 130], to: [220, 70] } as const;
/** The brush is three times as wide as the 3 px crack. */
const BRUSH = 9;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

/** Distance from the crack's centre line. */
function crackDistance(x: number, y: number) {
  const [x0, y0] = CRACK.from, [x1, y1] = CRACK.to;
  const dx = x1 - x0, dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
}

/**
 * A textured gradient with light grain and one thin bright crack (3 px, soft-edged). Returns the
 * PNG, the photo without the crack, and the crack's coverage per pixel.
 */
async function crackedPhoto() {
  const rand = rng(11);
  const px = Buffer.alloc(W * H * 3), clean = Buffer.alloc(W * H * 3);
  const coverage = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      const n = () => (rand() + rand() + rand() - 1.5) * 3;
      const base = [70 + (90 * x) / W + 12 * Math.sin(x / 7) * Math.cos(y / 9) + n(), 60 + (80 * y) / H + 10 * Math.sin((x + y) / 11) + n(), 50 + 40 * Math.sin(x / 13) + n()];
      const a = Math.max(0, Math.min(1, 2 - crackDistance(x, y)));
      coverage[y * W + x] = a;
      for (let c = 0; c < 3; c++) {
        clean[p + c] = Math.round(base[c]);
        px[p + c] = Math.round(base[c] * (1 - a) + 240 * a);
      }
    }
  }
  return { png: await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer(), clean, coverage };
}

/** RGBA of a canvas (the original, the composed result, the mask overlay). */
function canvasData(page: Page, id: string) {
  return page.evaluate((id) => {
    const c = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, id);
}

const brush = (page: Page, from: readonly [number, number], to: readonly [number, number]) => brushOn(page, [W, H], from, to);

/** A photo with nothing else changed: a denoise run, undone, so only marked fills change pixels. */
async function openAndReview(page: Page, png: Buffer, url = '/?backend=wasm&model=denoise=tiny-test') {
  await page.goto(url);
  await openPhoto(page, png, 'cracked.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);
  const review = page.getByTestId('review-panel');
  await review.locator('.review-stage[data-stage="denoise"]').getByRole('button', { name: 'Undo all' }).click();
  await expect.poll(async () => (await appState(page)).result!.changed).toBe(0);
  await review.getByRole('button', { name: 'Mark damage to fill…' }).click();
  await expect(page.getByTestId('mark-tools')).toBeVisible();
  await page.getByRole('slider', { name: 'Brush size' }).fill(String(BRUSH));
  return review;
}

test('a rough stroke along a crack fills the crack and leaves the rest of the stroke exactly as it was', async ({ page }) => {
  const { png, clean, coverage } = await crackedPhoto();
  await openAndReview(page, png);
  const snap = page.getByRole('switch', { name: 'Snap to damage' });
  await expect(snap).toBeChecked();

  await brush(page, CRACK.from, CRACK.to);
  await expect.poll(async () => (await appState(page)).review!.marking!.snapping).toBe(0);
  const marking = (await appState(page)).review!.marking!;
  expect(marking.lastSnap).toEqual({ by: 'detector', pixels: marking.markedPixels });

  // The snapped mask is shown before filling: the crack in red, the stroke's sides clear.
  const overlay = await canvasData(page, 'mask-preview');
  const alpha = (x: number, y: number) => overlay[(y * W + x) * 4 + 3];
  const onCrack: [number, number][] = [], beside: [number, number][] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 40; x < 210; x++) {
      const d = crackDistance(x, y);
      if (d < 0.5) onCrack.push([x, y]);
      // Inside the 9 px stroke, past the crack and its pixel of growth.
      else if (d > 3.2 && d < 4) beside.push([x, y]);
    }
  }
  expect(onCrack.every(([x, y]) => alpha(x, y) > 0)).toBe(true);
  expect(beside.length).toBeGreaterThan(200);
  expect(beside.filter(([x, y]) => alpha(x, y) > 0)).toEqual([]);

  await page.getByRole('button', { name: 'Fill marked area' }).click();
  await expect.poll(async () => (await appState(page)).review!.regions.some((r) => r.stage === 'fill' && r.id.includes('marked'))).toBe(true);
  await expect.poll(async () => (await appState(page)).result!.changed).toBeGreaterThan(0);

  const original = await canvasData(page, 'original-canvas');
  const result = await canvasData(page, 'result-canvas');
  // Pixels allowed to change: the crack (any coverage) grown by one pixel.
  const allowed = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!coverage[y * W + x]) continue;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && y + dy >= 0 && x + dx < W && y + dy < H) allowed[(y + dy) * W + x + dx] = 1;
    }
  }
  let moved = 0, inStroke = 0;
  let crackPixels = 0, crackError = 0, worst = 0;
  for (let i = 0; i < W * H; i++) {
    const p = i * 4;
    const same = original[p] === result[p] && original[p + 1] === result[p + 1] && original[p + 2] === result[p + 2];
    if (!allowed[i]) {
      if (!same) moved++;
      if (crackDistance(i % W, Math.floor(i / W)) <= BRUSH / 2 - 0.5) inStroke++;
      continue;
    }
    if (coverage[i] < 0.9) continue;
    // The crack's core now looks like the photo without it.
    crackPixels++;
    const err = Math.max(...[0, 1, 2].map((c) => Math.abs(result[p + c] - clean[i * 3 + c])));
    crackError += err;
    worst = Math.max(worst, err);
  }
  expect(inStroke, 'pixels under the stroke that are not crack').toBeGreaterThan(250);
  expect(moved, 'pixels changed outside the crack and its one-pixel edge').toBe(0);
  expect(crackPixels).toBeGreaterThan(300);
  expect(crackError / crackPixels, 'mean error on the crack against the photo without it').toBeLessThan(12);
  expect(worst).toBeLessThan(60);
});

test('with Snap to damage off the whole stroke is marked and filled, as for a tear', async ({ page }) => {
  const { png } = await crackedPhoto();
  await openAndReview(page, png);
  const snap = page.getByRole('switch', { name: 'Snap to damage' });
  await snap.focus();
  await page.keyboard.press('Space');
  await expect(snap).not.toBeChecked();
  await expect(page.getByText('The brush marks the whole stroke')).toBeVisible();

  // A stroke over clean texture, away from the crack: every pixel of it is marked.
  const from = [40, 170] as const, to = [120, 170] as const;
  await brush(page, from, to);
  const marking = (await appState(page)).review!.marking!;
  expect(marking.snap).toBe(false);
  expect(marking.markedPixels).toBeGreaterThan((to[0] - from[0]) * (BRUSH - 1));
  await page.getByRole('button', { name: 'Fill marked area' }).click();
  await expect.poll(async () => (await appState(page)).review!.regions.some((r) => r.stage === 'fill' && r.id.includes('marked'))).toBe(true);
  const region = (await appState(page)).review!.regions.find((r) => r.stage === 'fill' && r.id.includes('marked'))!;
  const covers = (x: number, y: number) =>
    x >= region.rect.x0 && y >= region.rect.y0 && x < region.rect.x1 && y < region.rect.y1 && !!region.mask![(y - region.rect.y0) * (region.rect.x1 - region.rect.x0) + x - region.rect.x0];
  for (let x = from[0]; x <= to[0]; x += 10) for (const dy of [-3, 0, 3]) expect(covers(x, from[1] + dy), `(${x}, ${from[1] + dy})`).toBe(true);

  // Snapping stays off for the next marking, until turned on again.
  await page.getByTestId('review-panel').getByRole('button', { name: 'Mark damage to fill…' }).click();
  await expect(page.getByRole('switch', { name: 'Snap to damage' })).not.toBeChecked();
});

test('without the detector the stroke snaps by contrast alone; S on the photo turns snapping off and on', async ({ page }) => {
  const { png } = await crackedPhoto();
  // A detector that cannot be loaded.
  await openAndReview(page, png, '/?backend=wasm&model=denoise=tiny-test,detect=no-such-detector');
  const snap = page.getByRole('switch', { name: 'Snap to damage' });
  await page.getByTestId('photo-viewport').focus();
  await page.keyboard.press('s');
  await expect(snap).not.toBeChecked();
  await page.keyboard.press('s');
  await expect(snap).toBeChecked();

  await brush(page, CRACK.from, CRACK.to);
  await expect.poll(async () => (await appState(page)).review!.marking!.snapping).toBe(0);
  expect((await appState(page)).review!.marking!.lastSnap!.by).toBe('contrast');
  await expect(page.getByTestId('mark-status')).toContainText('by contrast alone');
  const overlay = await canvasData(page, 'mask-preview');
  const onCrack: boolean[] = [], beside: boolean[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 40; x < 210; x++) {
      const d = crackDistance(x, y), shown = overlay[(y * W + x) * 4 + 3] > 0;
      if (d < 0.5) onCrack.push(shown);
      else if (d > 3.2 && d < 4) beside.push(shown);
    }
  }
  expect(onCrack.every(Boolean)).toBe(true);
  expect(beside.length).toBeGreaterThan(200);
  expect(beside.some(Boolean)).toBe(false);
});
