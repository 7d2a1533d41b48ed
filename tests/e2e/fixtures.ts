/**
 * Shared helpers for the end-to-end specs: generated photos (no binary fixtures
 * in the repo), opening a file, reading the app state, choosing repairs.
 */
import { expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { FIRST_RUN_KEY } from '../../src/app/first-run.ts';

export const ORIGIN = 'http://localhost:4173';

/**
 * Browser storage for a profile that has already seen (and closed) the
 * first-run dialog: playwright.config.ts gives it to every test, so the modal
 * does not sit over the page. Specs about the first visit use `FRESH_PROFILE`.
 */
export const FIRST_RUN_SEEN = {
  cookies: [],
  origins: [{ origin: ORIGIN, localStorage: [{ name: FIRST_RUN_KEY, value: '1' }] }],
};
export const FRESH_PROFILE = { cookies: [], origins: [] };

/** For pages on another origin (or a fresh profile) that should still skip the first-run dialog. */
export async function skipFirstRun(page: Page) {
  await page.addInitScript((key) => localStorage.setItem(key, '1'), FIRST_RUN_KEY);
}

/** Small deterministic RNG so fixtures are the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

/** Raw RGB test photo: gradients, edges and texture plus Gaussian-ish noise of `noise` (8-bit units). */
export function photoPixels(width: number, height: number, noise = 20, seed = 7): Buffer {
  const rand = rng(seed);
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const edge = (x + 2 * y) % 61 < 30 ? 40 : 0;
      const n = () => (rand() + rand() + rand() - 1.5) * noise * 1.15;
      px[p] = clamp(50 + (150 * x) / width + edge + n());
      px[p + 1] = clamp(190 - (120 * y) / height + n());
      px[p + 2] = clamp(120 + 60 * Math.sin(x / 9) * Math.cos(y / 13) + n());
    }
  }
  return px;
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export async function noisyPng(width: number, height: number, noise = 20): Promise<Buffer> {
  return sharp(photoPixels(width, height, noise), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

export async function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp(photoPixels(width, height, 10), { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** Opens a photo through the file input, as the picker would. */
export async function openPhoto(page: Page, buffer: Buffer, name = 'photo.png', mimeType = 'image/png') {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

export function appState(page: Page) {
  return page.evaluate(() => window.__heirloom!.state());
}

export function runtimeInfo(page: Page) {
  return page.evaluate(() => window.__heirloom!.runtimeInfo());
}

/** Waits for the analysis of an opened photo and for the app to be idle. `timeout` is a hang guard:
 * a large photo's analysis (detector, blur model and shake search on full-resolution crops) once took
 * over the default 60 s in a full `npm test` on a 2-core machine (2026-12-03; alone, the whole cancel
 * test then took 1.5 min). */
export async function expectReport(page: Page, timeout = 60_000) {
  await expect(page.getByTestId('analysis-report')).toBeVisible({ timeout });
  await expect.poll(async () => (await appState(page)).status).toBe('idle');
}

/** Ticks exactly the given repairs (the others are unticked). */
export async function chooseOnly(page: Page, ...stages: string[]) {
  for (const box of await page.locator('input[type=checkbox][name^="stage-"]').all()) {
    if (await box.isDisabled()) continue;
    const name = (await box.getAttribute('name'))!.slice('stage-'.length);
    await box.setChecked(stages.includes(name));
  }
  for (const s of stages) await expect(page.locator(`input[name="stage-${s}"]`)).toBeChecked();
}

/** Clicks Restore and waits until a result is shown. */
export async function restoreAndWait(page: Page) {
  await page.getByRole('button', { name: /^Restore/ }).click();
  await expect(page.getByTestId('result-canvas')).toBeVisible({ timeout: 150_000 });
  await expect.poll(async () => (await appState(page)).status, { timeout: 150_000 }).toBe('idle');
}

/** Mean absolute difference (8-bit units) between the original and the restored canvases. */
export function canvasDifference(page: Page) {
  return page.evaluate(() => {
    const read = (id: string) => {
      const c = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
      return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    };
    const a = read('original-canvas');
    const b = read('result-canvas');
    if (a.length !== b.length) return Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
    return sum / ((a.length / 4) * 3);
  });
}

/** The app's URL with the tiny test model for denoise. */
export const TINY = '/?model=denoise=tiny-test';

/** Drags over the photo between two points given in photo pixels (a photo of width x height). */
export async function brush(page: Page, size: readonly [number, number], from: readonly [number, number], to: readonly [number, number]) {
  const box = (await page.getByTestId('photo-surface').boundingBox())!;
  const at = ([x, y]: readonly [number, number]) => [box.x + (x / size[0]) * box.width, box.y + (y / size[1]) * box.height] as const;
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(...at([from[0] + ((to[0] - from[0]) * i) / 8, from[1] + ((to[1] - from[1]) * i) / 8]));
  await page.mouse.up();
}

/** While marking: the brush marks whole strokes (Snap to damage off), for specs that mark a clean area as damage. */
export async function markWholeStrokes(page: Page) {
  await page.getByRole('switch', { name: 'Snap to damage' }).uncheck();
}
