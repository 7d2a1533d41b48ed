/**
 * Registers the service worker (production builds only) with workbox-window:
 * - a newer version waiting → the store's `updateAvailable` shows a banner;
 *   accepting it tells the waiting SW to take over, then the page reloads;
 * - first install on a host that sends no COOP/COEP headers → reload once, so
 *   the SW-served page is cross-origin isolated (WASM threads).
 */
import { Workbox } from 'workbox-window';

let wb: Workbox | undefined;

export function registerServiceWorker(onUpdate: () => void): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  wb.addEventListener('waiting', () => onUpdate());
  wb.addEventListener('controlling', (event) => {
    if (event.isUpdate) {
      window.location.reload();
    } else if (!window.crossOriginIsolated && !sessionStorage.getItem('heirloom-isolation-reload')) {
      sessionStorage.setItem('heirloom-isolation-reload', '1');
      window.location.reload();
    }
  });
  wb.register().catch((e: unknown) => console.warn('Service worker registration failed:', e));
}

/** Lets the waiting service worker take over; the 'controlling' handler reloads the page. */
export function applyUpdate(): void {
  wb?.messageSkipWaiting();
}
