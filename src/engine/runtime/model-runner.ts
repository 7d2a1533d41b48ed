/**
 * Runs one ONNX model on planar float tiles. The same code drives
 * onnxruntime-web (browser WASM/WebGPU, Node WASM) and onnxruntime-node.
 */
import type * as Ort from 'onnxruntime-common';
import { createPlanar, type PlanarImage } from '../image.ts';
import type { ModelEntry } from '../models/manifest.ts';
import type { OrtModule } from './types.ts';

/**
 * One ONNX call at a time, across all sessions: onnxruntime-web's WebGPU-capable build refuses a call
 * that starts while another is in flight ("Session already started" / "Session mismatch"), which
 * the background warm-up would otherwise cause alongside a photo's analysis.
 */
let inFlight: Promise<unknown> = Promise.resolve();
function exclusive<T>(call: () => Promise<T>): Promise<T> {
  const result = inFlight.then(call);
  inFlight = result.catch(() => undefined);
  return result;
}

export class ModelRunner {
  private constructor(
    private ort: OrtModule,
    private session: Ort.InferenceSession,
    readonly entry: ModelEntry,
    /** Whether the session runs on a GPU (WebGPU) rather than the CPU (WASM, onnxruntime-node). */
    readonly onGpu = false,
  ) {}

  static async create(
    ort: OrtModule,
    bytes: Uint8Array,
    entry: ModelEntry,
    options: Ort.InferenceSession.SessionOptions,
  ): Promise<ModelRunner> {
    // A fresh Uint8Array avoids a cross-realm Buffer failing ORT's instanceof check.
    const session = await exclusive(() => ort.InferenceSession.create(new Uint8Array(bytes), options));
    const ep = options.executionProviders?.[0];
    return new ModelRunner(ort, session, entry, (typeof ep === 'string' ? ep : ep?.name) === 'webgpu');
  }

  /**
   * Runs the model on a tile whose sides are multiples of entry.sizeMultiple. A model
   * with a mask input takes it as the tile's last channel (so tiling moves both together).
   */
  async run(tile: PlanarImage, strength = 1): Promise<PlanarImage> {
    const { io } = this.entry;
    const plane = tile.width * tile.height;
    const imageChannels = io.mask ? tile.channels - 1 : tile.channels;
    if (io.mask && imageChannels !== io.channels) {
      throw new Error(`Model ${this.entry.id} needs ${io.channels} image channels and a mask; the tile has ${tile.channels} channels.`);
    }
    const feeds: Record<string, Ort.Tensor> = {
      [io.input]: new this.ort.Tensor('float32', io.mask ? tile.data.slice(0, imageChannels * plane) : tile.data, [1, imageChannels, tile.height, tile.width]),
    };
    if (io.mask) feeds[io.mask] = new this.ort.Tensor('float32', tile.data.slice(imageChannels * plane), [1, 1, tile.height, tile.width]);
    if (io.strength) feeds[io.strength] = new this.ort.Tensor('float32', new Float32Array([strength]), [1]);
    const results = await exclusive(() => this.session.run(feeds));
    const out = results[io.output];
    const [, c, h, w] = out.dims as number[];
    const image = createPlanar(w, h, c);
    image.data.set(out.data as Float32Array);
    for (const t of Object.values(results)) t.dispose?.();
    return image;
  }

  /** Runs the model on named float32 inputs and returns every output (models that are not tiled, with several outputs). */
  async runOutputs(inputs: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = new this.ort.Tensor('float32', t.data, t.dims);
    const results = await exclusive(() => this.session.run(feeds));
    const out: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, t] of Object.entries(results)) {
      out[name] = { data: (t.data as Float32Array).slice(), dims: [...(t.dims as number[])] };
      t.dispose?.();
    }
    return out;
  }

  async release(): Promise<void> {
    await exclusive(() => this.session.release());
  }
}
