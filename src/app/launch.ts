/**
 * Photos handed to the installed app by the system: "Open with" (File Handling
 * API, `file_handlers` in the web manifest) and the share sheet (Web Share
 * Target, `share_target`). A share is a POST the service worker answers: it puts
 * the file in a short-lived cache and sends the page to `?shared=1`; the page takes
 * it out and deletes it at once (nothing of the user's stays in Cache Storage).
 */

/** Cache the service worker parks a shared photo in, for the moment between the POST and the page. */
export const SHARE_CACHE = 'heirloom-share-v1';
/** Path (relative to the app's scope) the manifest's share_target posts to. */
export const SHARE_ACTION = 'share-target';
export const SHARED_FILE_KEY = 'shared-photo';
/** The multipart field holding the photo. */
export const SHARE_FIELD = 'photo';

interface LaunchParams {
  files: FileSystemFileHandle[];
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}

/** Opens a photo the app was launched with, if any ("Open with Heirloom"). */
export function consumeLaunchedFiles(open: (file: File) => void): void {
  const queue = (window as Window & { launchQueue?: LaunchQueue }).launchQueue;
  queue?.setConsumer(async (params) => {
    const handle = params.files?.[0];
    if (handle) open(await handle.getFile());
  });
}

/** Opens a photo shared to the app, if the page was opened by a share. */
export async function consumeSharedFile(open: (file: File) => void): Promise<boolean> {
  const url = new URL(location.href);
  if (url.searchParams.get('shared') === null || typeof caches === 'undefined') return false;
  url.searchParams.delete('shared');
  history.replaceState(null, '', url);
  const cache = await caches.open(SHARE_CACHE);
  const key = new URL(SHARED_FILE_KEY, location.href).href;
  const response = await cache.match(key);
  await caches.delete(SHARE_CACHE);
  if (!response) return false;
  const name = decodeURIComponent(response.headers.get('X-File-Name') ?? 'shared-photo');
  open(new File([await response.blob()], name, { type: response.headers.get('Content-Type') ?? '' }));
  return true;
}
