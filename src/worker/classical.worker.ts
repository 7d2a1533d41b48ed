/// <reference lib="webworker" />
/**
 * A second worker for the restoration worker's classical searches (OffThreadWork): seconds of
 * JavaScript that would otherwise hold the restoration worker's thread while the analysis' models
 * could run. It holds no photo and no model; the restoration worker starts it and ends with it.
 */
import * as Comlink from 'comlink';
import type { RGBAImage } from '../engine/image.ts';
import { shakeOfCrop } from '../engine/classical/camera-shake.ts';

const api = {
  /** `shakeOfCrop` on the crop the restoration worker cut (and transferred). */
  shakeOfCrop: (crop: RGBAImage) => shakeOfCrop(crop),
};

export type ClassicalWorkerApi = typeof api;

Comlink.expose(api);
