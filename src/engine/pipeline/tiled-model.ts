import { createRGBA, mirrorPlanar, type PlanarImage, type RGBAImage } from '../image.ts';
import type { ModelRunner } from '../runtime/model-runner.ts';
import { rgbaSink, rgbaSource, runTiled, type TileFn, type TileProgress, type TileSpec } from '../tiling.ts';

/**
 * Tile side on the CPU (WASM, onnxruntime-node), as a multiple of the manifest's preferredTile, which
 * stays the GPU's (where memory is the limit). A 512 px tile with the detector's or the deblurrer's
 * 80 px overlap computes 2.7x the photo's pixels, a 1024 px tile 1.5x, and the int8 nets run no
 * slower per pixel on the larger tile.
 */
export const CPU_TILE_SCALE = 2;

/**
 * And on the CPU a tile is at least this many overlaps wide, so a model with a wide overlap (the
 * deblurrer's and the detector's 80 px: 1,280 px tiles) does not spend a third of its time on
 * recomputed borders; larger tiles were no faster and cost much more memory (docs/speed.md).
 */
export const CPU_TILE_OVERLAPS = 16;

/** The tile layout a model asks for in its manifest entry (a larger tile on the CPU). */
export function modelTileSpec(runner: ModelRunner, tile?: number): TileSpec {
  const e = runner.entry;
  const cpuTile = Math.max(CPU_TILE_SCALE * e.preferredTile, CPU_TILE_OVERLAPS * e.tileOverlap);
  return { tile: tile ?? (runner.onGpu ? e.preferredTile : cpuTile), overlap: e.tileOverlap, sizeMultiple: e.sizeMultiple };
}

/** Runs a per-tile function over an 8-bit photo, streaming into a new 8-bit photo. */
export async function runTiledRGBA(input: RGBAImage, spec: TileSpec, fn: TileFn, ctx: TileProgress): Promise<RGBAImage> {
  const out = createRGBA(input.width, input.height);
  await runTiled(rgbaSource(input), spec, fn, rgbaSink(out, input), {
    onTile: (d, t) => ctx.progress(d, t),
    shouldStop: () => ctx.shouldStop(),
  });
  return out;
}

/**
 * How many views of each tile the model sees: 1, or 2 (the tile and its mirror image, the second
 * result mirrored back, the two averaged). Averaging views ("self-ensemble") evens out the small
 * orientation-dependent errors a convolutional net makes, for twice the model's cost.
 */
export type ModelViews = 1 | 2;

async function runViews(runner: ModelRunner, tile: PlanarImage, strength: number, views: ModelViews): Promise<PlanarImage> {
  const out = await runner.run(tile, strength);
  if (views === 1) return out;
  const mirrored = mirrorPlanar(await runner.run(mirrorPlanar(tile, 1), strength), 1);
  for (let i = 0; i < out.data.length; i++) out.data[i] = 0.5 * (out.data[i] + mirrored.data[i]);
  return out;
}

/** Runs a model over an 8-bit photo with its own tiling and a strength input. */
export function runModelTiled(input: RGBAImage, runner: ModelRunner, strength: number, ctx: TileProgress, tile?: number, views: ModelViews = 1) {
  return runTiledRGBA(input, modelTileSpec(runner, tile), (t) => runViews(runner, t, strength, views), ctx);
}
