import type * as Ort from 'onnxruntime-common';
import type { BackendName } from '../models/manifest.ts';

/** The parts of onnxruntime-web / onnxruntime-node the engine uses (both expose this API). */
export interface OrtModule {
  InferenceSession: typeof Ort.InferenceSession;
  Tensor: typeof Ort.Tensor;
  env: Ort.Env;
}

/** What the app shows about the runtime in use. */
export interface RuntimeInfo {
  backend: BackendName;
  /** onnxruntime build: web (browser or Node WASM) or node (native). */
  runtime: 'onnxruntime-web' | 'onnxruntime-node';
  adapter?: string;
  shaderF16: boolean;
  threads: number;
  crossOriginIsolated: boolean;
  /** Why a preferred backend was not used (e.g. "WebGPU not available"). */
  fallbackReason?: string;
}
