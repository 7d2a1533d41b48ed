/// <reference lib="webworker" />
/**
 * Heirloom's service worker (built by vite-plugin-pwa, injectManifest).
 *
 * - Precaches the app shell and the onnxruntime-web assets (the ~28 MB wasm
 *   included), so the app works offline after the first visit.
 * - Adds COOP/COEP to every response it serves: on static hosts that cannot
 *   send headers, the page is cross-origin isolated after the SW takes over
 *   (the app reloads once), which gives ORT its WASM threads.
 * - Serves model files CacheFirst from `heirloom-models-v1`, the cache the
 *   engine's browser model store also uses (and deletes from when a file
 *   fails its sha256 check). The manifest goes NetworkFirst so new models show up.
 */
import { clientsClaim, type WorkboxPlugin } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import { SHARE_ACTION, SHARE_CACHE, SHARE_FIELD, SHARED_FILE_KEY } from './launch.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

const MODEL_CACHE = 'heirloom-models-v1';

/** Copies a response with the two cross-origin isolation headers added. */
const isolationHeaders: WorkboxPlugin = {
  handlerWillRespond: async ({ response }) => {
    if (!response || response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') return response;
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    // 204/304 and friends may not carry a body.
    const body = [101, 204, 205, 304].includes(response.status) ? null : response.body;
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  },
};

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});
clientsClaim();

addPlugins([isolationHeaders]);
cleanupOutdatedCaches();
// Query strings (?backend=…&model=…) select options in the app, not different files.
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });

const sameOrigin = (url: URL) => url.origin === self.location.origin;
const scopePath = new URL(self.registration.scope).pathname;
const isModel = (url: URL) => sameOrigin(url) && url.pathname.startsWith(`${scopePath}models/`);

// Web Share Target: park the shared photo for the page, then open the app on it (see app/launch.ts).
registerRoute(
  ({ url }) => sameOrigin(url) && url.pathname === `${scopePath}${SHARE_ACTION}`,
  async ({ request }) => {
    const form = await request.formData().catch(() => undefined);
    const file = form?.get(SHARE_FIELD);
    if (file instanceof File) {
      const cache = await caches.open(SHARE_CACHE);
      const headers = { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name || 'shared-photo') };
      await cache.put(new URL(SHARED_FILE_KEY, self.registration.scope).href, new Response(file, { headers }));
    }
    return Response.redirect(`${self.registration.scope}?shared=1`, 303);
  },
  'POST',
);

registerRoute(
  ({ url }) => isModel(url) && url.pathname.endsWith('/manifest.json'),
  new NetworkFirst({ cacheName: MODEL_CACHE, plugins: [isolationHeaders] }),
);
registerRoute(
  ({ url }) => isModel(url) && !url.pathname.endsWith('/manifest.json'),
  new CacheFirst({ cacheName: MODEL_CACHE, plugins: [isolationHeaders] }),
);

// Anything else of ours that is not precached (pages and scripts of a newer deploy): network first, isolated.
registerRoute(
  ({ url, request }) =>
    sameOrigin(url) && !isModel(url) && ['document', 'script', 'worker', 'sharedworker', 'style'].includes(request.destination),
  new NetworkFirst({ cacheName: 'heirloom-runtime-v1', plugins: [isolationHeaders] }),
);
