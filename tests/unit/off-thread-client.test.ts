/**
 * The restoration worker's helper for the shake search (src/worker/off-thread-client.ts), with a
 * stand-in Worker: a MessageChannel whose far end exposes the estimate as classical.worker.ts does.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { shakeOfCrop, shakeSearchCrop } from '../../src/engine/classical/camera-shake.ts';
import type { RGBAImage } from '../../src/engine/image.ts';
import { offThreadClient } from '../../src/worker/off-thread-client.ts';
import { testPattern } from '../helpers/models.ts';

const realWorker = (globalThis as { Worker?: unknown }).Worker;
afterEach(() => {
  (globalThis as { Worker?: unknown }).Worker = realWorker;
});

/** Installs a Worker whose helper runs `api` on this thread, and records what it was sent. */
function standInWorker(api: { shakeOfCrop(crop: RGBAImage): unknown }, opts: { failOnStart?: boolean } = {}) {
  const seen: { crops: number[][]; terminated: number } = { crops: [], terminated: 0 };
  class StandIn extends EventTarget {
    private port: MessagePort;
    constructor() {
      super();
      const { port1, port2 } = new MessageChannel();
      Comlink.expose({ shakeOfCrop: (crop: RGBAImage) => (seen.crops.push([crop.width, crop.height]), api.shakeOfCrop(crop)) }, port2);
      this.port = port1;
      port1.addEventListener('message', (e) => this.dispatchEvent(new MessageEvent('message', { data: (e as MessageEvent).data })));
      port1.start();
      if (opts.failOnStart) setTimeout(() => this.dispatchEvent(Object.assign(new Event('error'), { message: 'failed to load' })), 0);
    }
    postMessage(message: unknown, transfer: Transferable[] = []) {
      this.port.postMessage(message, transfer);
    }
    terminate() {
      seen.terminated++;
      this.port.close();
    }
  }
  (globalThis as { Worker?: unknown }).Worker = StandIn;
  return seen;
}

/**
 * A photo larger than the search's crop, each call a new one: estimates are cached by the crop's
 * content, and a cached one would never reach the helper.
 */
let seed = 10;
const photo = () => testPattern(800, 100, seed++);
/** The estimate made here, past the cache. */
const inline = (img: RGBAImage) => shakeOfCrop(shakeSearchCrop(img)!);

describe('the shake search off the restoration worker\'s thread', () => {
  it('sends the helper the centre crop alone and gets back the inline estimate', async () => {
    const seen = standInWorker({ shakeOfCrop });
    const work = offThreadClient();
    const img = photo();
    const shake = await work.findCameraShake(img);
    // the 256 px warm-up, then the photo's centre 768 px
    expect(seen.crops).toEqual([[256, 256], [768, 100]]);
    expect(shake).toEqual(inline(img));
  });

  it('falls back to inline work when the helper fails, and stops using it', async () => {
    const seen = standInWorker({ shakeOfCrop: () => new Promise(() => undefined) }, { failOnStart: true });
    const work = offThreadClient();
    const img = photo();
    expect(await work.findCameraShake(img)).toEqual(inline(img));
    expect(seen.terminated).toBe(1);
    const sent = seen.crops.length;
    const other = photo();
    expect(await work.findCameraShake(other)).toEqual(inline(other));
    expect(seen.crops).toHaveLength(sent);
    expect(seen.terminated).toBe(1);
  });

  it('passes on an error of the estimate itself, keeping the helper', async () => {
    const seen = standInWorker({ shakeOfCrop: (crop) => { if (crop.width > 256) throw new Error('estimate failed'); return null; } });
    const work = offThreadClient();
    await expect(work.findCameraShake(photo())).rejects.toThrow(/estimate failed/);
    expect(seen.terminated).toBe(0);
  });

  it('works inline where there are no workers', async () => {
    (globalThis as { Worker?: unknown }).Worker = undefined;
    const img = photo();
    expect(await offThreadClient().findCameraShake(img)).toEqual(inline(img));
  });
});
