/**
 * Browser model store: models live in Cache Storage after their first download
 * (so they work offline and are not precached all at once), fetched from the
 * app's own origin with streamed progress.
 */
import type { ModelStore, ProgressFn } from './registry.ts';

export const MODEL_CACHE = 'heirloom-models-v1';

export function browserModelStore(baseUrl: string): ModelStore {
  const url = (file: string) => new URL(file, baseUrl).toString();
  return {
    async manifest() {
      const res = await fetch(url('manifest.json'), { cache: 'no-cache' }).catch(() => undefined);
      if (res?.ok) return res.json();
      // Offline: the service worker or our cache may still hold it.
      const cached = await (await caches.open(MODEL_CACHE)).match(url('manifest.json'));
      if (cached) return cached.json();
      throw new Error('The model list could not be loaded (offline and never downloaded before).');
    },
    async fetch(file, expectedBytes, onProgress) {
      const cache = 'caches' in globalThis ? await caches.open(MODEL_CACHE) : undefined;
      const cached = await cache?.match(url(file));
      if (cached) {
        const buf = new Uint8Array(await cached.arrayBuffer());
        onProgress?.(buf.length, buf.length);
        return buf;
      }
      const res = await fetch(url(file));
      if (!res.ok || !res.body) throw new Error(`Model ${file} could not be downloaded (HTTP ${res.status}).`);
      const bytes = await readWithProgress(res, expectedBytes, onProgress);
      await cache?.put(url(file), new Response(bytes as Uint8Array<ArrayBuffer>));
      // Keep the manifest too, so the model can be found offline.
      const manifest = await fetch(url('manifest.json')).catch(() => undefined);
      if (manifest?.ok) await cache?.put(url('manifest.json'), manifest);
      return bytes;
    },
    async discard(file) {
      await (await caches.open(MODEL_CACHE)).delete(url(file));
    },
  };
}

async function readWithProgress(res: Response, expected: number, onProgress?: ProgressFn): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length')) || expected;
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
