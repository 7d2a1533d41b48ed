/** The shape of `public/models/manifest.json`, written by `training/export.py`. */

export type BackendName = 'webgpu' | 'wasm' | 'node';
export type Precision = 'fp32' | 'fp16' | 'int8';

export interface ModelVariant {
  /** Which runtime this file is meant for: int8 QDQ for WASM, fp32/fp16 for WebGPU. */
  backend: 'wasm' | 'webgpu';
  precision: Precision;
  file: string;
  sha256: string;
  bytes: number;
  /** Adapter feature the variant needs (fp16 needs `shader-f16`). */
  requires?: 'shader-f16';
}

export interface ModelEntry {
  id: string;
  task: string;
  version: string;
  title?: string;
  licence: string;
  io: {
    input: string;
    output: string;
    /** Optional scalar input: 0 = untouched, 1 = full effect. */
    strength?: string;
    /** Channels of the output when they differ from the input's (the detector: 2 probabilities). */
    outputChannels?: number;
    /** Colour model: the second output (log-gains), the thumbnail side it reads, curve knots and gain grid size. */
    gains?: string;
    thumbnail?: number;
    knots?: number;
    grid?: number;
    /** Optional [1,1,H,W] input (fill: 1 = replace this pixel). Tiles then carry it as their last channel. */
    mask?: string;
    layout: 'NCHW';
    channels: number;
    range: [number, number];
  };
  sizeMultiple: number;
  receptiveField: number;
  /** Margin the tiler crops on every inner tile side. */
  tileOverlap: number;
  preferredTile: number;
  parameters?: number;
  macsPerPixel?: number;
  /** Detectors: the probability from which a pixel counts as damage (picked on held-out photos). */
  threshold?: number;
  /** Detectors: hysteresis, a group of damage pixels stays only if one of them reaches this (absent: no hysteresis). */
  seedThreshold?: number;
  variants: ModelVariant[];
  provenance: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** Test-only models are never offered to users. */
  testOnly?: boolean;
}

export interface ModelManifest {
  models: ModelEntry[];
}

export class ManifestError extends Error {}

/** Validates the parts of a manifest entry the engine relies on; throws with a readable reason. */
export function validateManifest(raw: unknown): ModelManifest {
  const m = raw as ModelManifest;
  if (!m || !Array.isArray(m.models)) throw new ManifestError('Model manifest has no "models" list.');
  for (const e of m.models) {
    const where = `model "${e?.id ?? '?'}"`;
    if (typeof e.id !== 'string' || typeof e.task !== 'string') throw new ManifestError(`${where}: id and task are required.`);
    if (!e.io?.input || !e.io?.output) throw new ManifestError(`${where}: io.input and io.output are required.`);
    if (!(e.sizeMultiple >= 1) || !(e.tileOverlap >= 0) || !(e.preferredTile >= e.sizeMultiple)) {
      throw new ManifestError(`${where}: sizeMultiple, tileOverlap and preferredTile must be set.`);
    }
    if (!Array.isArray(e.variants) || e.variants.length === 0) throw new ManifestError(`${where}: no variants.`);
    for (const v of e.variants) {
      if (!/^[0-9a-f]{64}$/.test(v.sha256)) throw new ManifestError(`${where}: variant ${v.file} has no valid sha256.`);
    }
  }
  return m;
}

/**
 * Picks the file to run on a backend. WebGPU prefers fp16 when the adapter has
 * shader-f16 (fp16 without it silently returns zeros), else fp32; WASM and
 * Node prefer int8 (2x faster on CPU) unless a precision is forced.
 */
export function pickVariant(
  entry: ModelEntry,
  backend: BackendName,
  opts: { shaderF16?: boolean; precision?: Precision } = {},
): ModelVariant {
  const byPrecision = (p: Precision) => entry.variants.find((v) => v.precision === p);
  if (opts.precision) {
    const v = byPrecision(opts.precision);
    if (!v) throw new ManifestError(`Model ${entry.id} has no ${opts.precision} file.`);
    if (v.requires === 'shader-f16' && backend === 'webgpu' && !opts.shaderF16) {
      throw new ManifestError(`Model ${entry.id} ${opts.precision} needs shader-f16, which this GPU lacks.`);
    }
    return v;
  }
  const order: Precision[] =
    backend === 'webgpu' ? (opts.shaderF16 ? ['fp16', 'fp32'] : ['fp32']) : ['int8', 'fp32'];
  for (const p of order) {
    const v = entry.variants.find(
      (x) => x.precision === p && (backend !== 'webgpu' || x.backend === 'webgpu' || p === 'fp32'),
    );
    if (v) return v;
  }
  throw new ManifestError(`Model ${entry.id} has no file usable on ${backend}.`);
}
