import { expect, test } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chooseOnly, expectReport, noisyPng, openPhoto, restoreAndWait } from './fixtures.ts';

test.use({ serviceWorkers: 'allow' });

test('the service worker precaches the app and ORT, and keeps it isolated offline', async ({ page, context }) => {
  await page.goto('/');
  // First visit: the SW installs (precaching ~30 MB), then claims the page.
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 120_000 });

  // The precache (the app saves models in its own cache, in the background: tests/e2e/offline-models.spec.ts).
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      if (name.startsWith('workbox-precache')) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
  expect(cached).toContain('/index.html');
  expect(cached.some((u) => /\/assets\/ort-wasm.*\.wasm$/.test(u))).toBe(true);
  expect(cached.some((u) => u.startsWith('/models/'))).toBe(false);

  // Use a model once online (it is cached on first use), so it works offline later.
  await page.goto('/?backend=wasm&model=denoise=tiny-test');
  // (The app reloads itself once if the page is not yet isolated: wait until it is before using it.)
  await page.waitForFunction(() => window.crossOriginIsolated && navigator.serviceWorker.controller !== null);
  await expect(page.getByRole('button', { name: 'Open a photo' })).toBeVisible();
  await openPhoto(page, await noisyPng(96, 64), 'online.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);

  // Offline, the SW serves the app with COOP/COEP: still cross-origin isolated, engine starts with threads.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Heirloom' })).toBeVisible();
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  const info = await page.evaluate(() => window.__heirloom!.runtimeInfo());
  expect(info.crossOriginIsolated).toBe(true);
  expect(info.threads).toBeGreaterThan(1);
  const manifest = await page.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href'));
  expect(manifest).toBeTruthy();

  // The reload resumes the last project (offline too).
  await expect.poll(async () => (await page.evaluate(() => window.__heirloom!.state())).photo?.name).toBe('online.png');
  await expectReport(page);

  // ...and a new photo is restored offline with the cached model.
  await openPhoto(page, await noisyPng(80, 80), 'offline.png');
  await expect.poll(async () => (await page.evaluate(() => window.__heirloom!.state())).photo?.name).toBe('offline.png');
  await expectReport(page);
  await chooseOnly(page, 'denoise');
  await restoreAndWait(page);
  const state = await page.evaluate(() => window.__heirloom!.state());
  expect(state.result!.stages).toEqual([expect.objectContaining({ stage: 'denoise', method: 'model', model: 'tiny-test' })]);
});

test('on a host that sends no COOP/COEP, the service worker makes the app cross-origin isolated', async ({ page, baseURL }) => {
  // A plain static host: the preview server's responses with the isolation headers removed.
  const server = createServer(async (req, res) => {
    try {
      const upstream = await fetch(new URL(req.url!, baseURL));
      const headers: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!/^(cross-origin-(opener|embedder)-policy|content-encoding|content-length|transfer-encoding)$/i.test(k)) headers[k] = v;
      });
      res.writeHead(upstream.status, headers);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (e) {
      res.writeHead(502).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const first = await page.goto(`http://127.0.0.1:${port}/`);
    expect(first!.headers()['cross-origin-embedder-policy']).toBeUndefined();
    // Not isolated at first; the SW installs, takes control, and the app reloads once. The reloaded
    // document is isolated and controlled before its module script has run, so wait for the app too
    // (a CI run read window.__heirloom as undefined right after the reload, 2026-12-04).
    await expect
      .poll(() => page.evaluate(() => window.crossOriginIsolated && !!navigator.serviceWorker.controller && !!window.__heirloom).catch(() => false), { timeout: 120_000 })
      .toBe(true);
    const info = await page.evaluate(() => window.__heirloom!.runtimeInfo());
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threads).toBeGreaterThan(1);
  } finally {
    server.close();
  }
});

test('a photo shared to the installed app opens in it, and the share leaves nothing behind', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 120_000 });
  const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel="manifest"]')!.getAttribute('href')!)).json());
  expect(manifest.share_target).toMatchObject({ action: 'share-target', method: 'POST', enctype: 'multipart/form-data' });
  expect(Object.keys(manifest.file_handlers[0].accept)).toContain('image/jpeg');

  // What the share sheet does: a multipart POST navigation to the share target.
  const png = await noisyPng(96, 64);
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = 'share-target';
    form.enctype = 'multipart/form-data';
    const input = document.createElement('input');
    input.type = 'file';
    input.name = 'photo';
    const files = new DataTransfer();
    files.items.add(new File([bytes], 'shared photo.png', { type: 'image/png' }));
    input.files = files.files;
    form.append(input);
    document.body.append(form);
    form.submit();
  }, png.toString('base64'));
  await expect(page.getByTestId('analysis-report')).toBeVisible({ timeout: 60_000 });
  expect((await page.evaluate(() => window.__heirloom!.state())).photo).toMatchObject({ name: 'shared photo.png', width: 96, height: 64 });
  expect(new URL(page.url()).search).toBe('');
  expect(await page.evaluate(() => caches.keys())).not.toContain('heirloom-share-v1');
});
