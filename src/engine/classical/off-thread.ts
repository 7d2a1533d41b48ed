/**
 * Classical work that may run on a thread of its own: in the browser a worker beside the
 * restoration worker (src/worker/off-thread-client.ts), so that seconds of JavaScript run while the
 * analysis' models run on the other cores; elsewhere (the CLI, the evaluations, the tests) inline.
 */
import type { RGBAImage } from '../image.ts';
import { findCameraShake, type CameraShake } from './camera-shake.ts';

export interface OffThreadWork {
  /** `findCameraShake` (the same estimate, the same cache). */
  findCameraShake(img: RGBAImage): Promise<CameraShake | null>;
}

/** The work done on the calling thread, when it is awaited. */
export const inlineWork: OffThreadWork = {
  findCameraShake: async (img) => findCameraShake(img),
};
