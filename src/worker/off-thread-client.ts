/**
 * OffThreadWork for the restoration worker: the searches run in a worker of their own
 * (classical.worker.ts). It is started with the restoration worker, while that one is idle: a
 * nested worker's code loads through its parent's thread, which the models hold for seconds at a
 * time once a photo is analysed. If it cannot start or fails, the work is done inline, as outside
 * the browser: slower, never lost.
 */
import * as Comlink from 'comlink';
import { findCameraShake, findCameraShakeBy } from '../engine/classical/camera-shake.ts';
import type { OffThreadWork } from '../engine/classical/off-thread.ts';
import type { ClassicalWorkerApi } from './classical.worker.ts';

/** The helper worker itself failed (not the work it was doing). */
class HelperFailed extends Error {}

interface Helper {
  worker: Worker;
  api: Comlink.Remote<ClassicalWorkerApi>;
  /** Rejects when the worker reports an error (a failed load among them): comlink's calls would wait forever. */
  failed: Promise<never>;
}

/**
 * Side of the crop the helper estimates a kernel on when it starts (about 0.5 s in the background):
 * the first photo's estimate then runs optimised code, 3.0 s instead of 3.4 s at 768 px in Node.
 */
const WARM_UP_SIDE = 256;

function startHelper(): Helper | null {
  try {
    const worker = new Worker(new URL('./classical.worker.ts', import.meta.url), { type: 'module', name: 'classical' });
    const failed = new Promise<never>((_, reject) => worker.addEventListener('error', (e) => reject(new HelperFailed(e.message || 'The classical worker failed'))));
    failed.catch(() => undefined);
    const api = Comlink.wrap<ClassicalWorkerApi>(worker);
    const side = WARM_UP_SIDE, data = new Uint8ClampedArray(side * side * 4);
    for (let i = 0; i < side * side; i++) data.fill(((i % side) * 7 + Math.floor(i / side) * 13) % 256, 4 * i, 4 * i + 4);
    api.shakeOfCrop({ width: side, height: side, data }).catch(() => undefined);
    return { worker, api, failed };
  } catch {
    return null;
  }
}

export function offThreadClient(): OffThreadWork {
  let helper = startHelper();
  return {
    async findCameraShake(img) {
      const h = helper;
      if (!h) return findCameraShake(img);
      try {
        return await findCameraShakeBy(img, (crop) => Promise.race([h.api.shakeOfCrop(Comlink.transfer(crop, [crop.data.buffer])), h.failed]));
      } catch (e) {
        if (!(e instanceof HelperFailed)) throw e;
        h.worker.terminate();
        helper = null;
        return findCameraShake(img);
      }
    },
  };
}
