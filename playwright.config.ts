import { defineConfig } from '@playwright/test';
import { FIRST_RUN_SEEN, ORIGIN } from './tests/e2e/fixtures.ts';

/**
 * End-to-end tests against the production build (`vite preview`, which sends
 * COOP/COEP like a properly configured host). Debian's Chromium, headless, with
 * no background network traffic; WASM on a shared 2-core machine is slow, so
 * timeouts are generous and tests run one at a time.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: ORIGIN,
    // The first-run dialog counts as seen (tests/e2e/export-persist.spec.ts checks a fresh profile).
    storageState: FIRST_RUN_SEEN,
    viewport: { width: 1280, height: 800 },
    // Most specs test the app itself; tests/e2e/pwa.spec.ts turns the service worker on.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    },
  },
  webServer: {
    command: 'npm run build && npx vite preview --port 4173 --strictPort',
    url: 'http://localhost:4173',
    reuseExistingServer: !process.env.CI,
    timeout: 600_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
