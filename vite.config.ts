/// <reference types="vitest/config" />
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation gives onnxruntime-web its WASM threads (SharedArrayBuffer).
// The service worker adds the same headers on static hosts that cannot.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const root = fileURLToPath(new URL('.', import.meta.url));

// bench.html (the in-browser benchmark page) is a second page when it exists.
const input: Record<string, string> = { main: `${root}index.html` };
if (existsSync(`${root}bench.html`)) input.bench = `${root}bench.html`;

/**
 * index.html carries a strict CSP meta tag for the built app. The dev server's
 * React Refresh preamble is an inline script, which that policy (rightly)
 * blocks, so the tag is dropped when serving in dev only.
 */
function devCspRelax(): Plugin {
  return {
    name: 'heirloom:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/, ''),
  };
}

export default defineConfig({
  plugins: [
    react(),
    devCspRelax(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/app',
      filename: 'sw.ts',
      // Registered by src/app/sw-register.ts with workbox-window (update banner).
      injectRegister: false,
      // The manifest's icons are added by the plugin; the Apple one is not in the manifest.
      includeAssets: ['icons/apple-touch-icon.png'],
      injectManifest: {
        rollupFormat: 'iife',
        // The ORT wasm is ~28 MB: it must be precached to work offline.
        maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
        globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,ico}'],
        // Models are cached at runtime on first use (CacheFirst route in the SW), not precached.
        globIgnores: ['models/**'],
      },
      manifest: {
        name: 'Heirloom — photo restoration',
        short_name: 'Heirloom',
        description: 'Restore old photos privately: everything runs on your device, nothing is uploaded.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        theme_color: '#2b2118',
        background_color: '#f6f1ea',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // "Open with Heirloom" for photo files (File Handling API; handled in src/app/launch.ts).
        file_handlers: [
          {
            action: '.',
            accept: { 'image/jpeg': ['.jpg', '.jpeg'], 'image/png': ['.png'], 'image/webp': ['.webp'], 'image/avif': ['.avif'], 'image/gif': ['.gif'], 'image/bmp': ['.bmp'] },
          },
        ],
        // Share a photo to the installed app (the service worker receives the POST).
        share_target: {
          action: 'share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { files: [{ name: 'photo', accept: ['image/*'] }] },
        },
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000, rolldownOptions: { input } },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
