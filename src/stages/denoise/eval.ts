/**
 * Denoising evaluation.
 * - standard: the published protocol. Gaussian noise of `sigma` (8-bit units) added
 *   to the float image without clipping, drawn from the shared counter RNG
 *   (seed, stream = image index); output rounded to 8 bits; PSNR on the full image.
 * - realistic: what scans look like. Film grain (+ chroma noise), 8-bit clipping,
 *   then JPEG at a random quality, all drawn from the same seeded RNG
 *   (training's `realistic` degradation; JPEG via libjpeg here, OpenCV in training).
 */
import sharp from 'sharp';
import { createPlanar, planarToRGBA, rgbaToPlanar, type PlanarImage } from '../../engine/image.ts';
import { bilateral, BILATERAL_RECEPTIVE_FIELD, nonLocalMeans, NLM_RECEPTIVE_FIELD } from '../../engine/classical/denoise.ts';
import { estimateNoiseSigma } from '../../engine/analysis/index.ts';
import { gaussianNoise, realisticDraws, realisticNoJpeg } from '../../engine/degradations/degradations.ts';
import { CounterRNG } from '../../engine/degradations/rng.ts';
import { planarSink, planarSource, runTiled, type TileFn, type TileSpec } from '../../engine/tiling.ts';
import type { EvalCommand, EvalMethod, EvalTask } from '../../node/eval/types.ts';
import { degradationEval } from '../../node/eval/run-eval.ts';

async function tiled(img: PlanarImage, spec: TileSpec, fn: TileFn): Promise<PlanarImage> {
  const out = createPlanar(img.width, img.height, img.channels);
  await runTiled(planarSource(img), spec, fn, planarSink(out));
  return out;
}

async function jpegRoundTrip(img: PlanarImage, quality: number): Promise<PlanarImage> {
  const rgba = planarToRGBA(img);
  const { data, info } = await sharp(Buffer.from(rgba.data.buffer), { raw: { width: img.width, height: img.height, channels: 4 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer()
    .then((b) => sharp(b).ensureAlpha().raw().toBuffer({ resolveWithObject: true }));
  return rgbaToPlanar({ width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) });
}

export const denoiseTask: EvalTask = {
  name: 'denoise',
  describe: (o) =>
    o.protocol === 'realistic'
      ? `realistic: film grain + chroma noise, 8-bit clip, JPEG q30-95 (p=0.6); CounterRNG seed ${o.seed}, stream = image index`
      : `standard: Gaussian sigma ${o.sigma}/255 added to float [0,1] images, unclipped; CounterRNG seed ${o.seed}, stream = image index; output rounded to 8 bits`,

  async degrade(clean, index, o) {
    if (o.protocol === 'standard') return gaussianNoise(clean, o.sigma, o.seed, index);
    if (o.protocol !== 'realistic') throw new Error(`Unknown protocol "${o.protocol}" (standard or realistic)`);
    const rng = new CounterRNG(o.seed, index);
    const draws = realisticDraws(new CounterRNG(o.seed, index));
    const noisy = realisticNoJpeg(clean, rng);
    return draws.useJpeg ? jpegRoundTrip(noisy, draws.jpegQuality) : noisy;
  },

  async methods(o) {
    const methods: EvalMethod[] = [];
    const runner = await o.service.runner('denoise');
    if (runner) {
      const spec = { tile: runner.entry.preferredTile, overlap: runner.entry.tileOverlap, sizeMultiple: runner.entry.sizeMultiple };
      methods.push({
        name: `model:${runner.entry.id}`,
        restore: (noisy) => tiled(noisy, spec, (t) => runner.run(t, 1)),
      });
    }
    // Classical baselines are given the noise level the app would use: the true sigma in the
    // standard protocol (as published baselines are), the analysis' estimate otherwise.
    const sigmaFor = (noisy: PlanarImage) =>
      o.protocol === 'standard' ? o.sigma : estimateNoiseSigma(planarToRGBA(noisy));
    methods.push({
      name: 'classical:nlm',
      restore: (noisy) => {
        const s = sigmaFor(noisy) / 255;
        return tiled(noisy, { tile: 256, overlap: NLM_RECEPTIVE_FIELD({ sigma: s }), sizeMultiple: 1 }, (t) => nonLocalMeans(t, s));
      },
    });
    methods.push({
      name: 'classical:bilateral',
      restore: (noisy) => {
        const s = sigmaFor(noisy) / 255;
        return tiled(noisy, { tile: 256, overlap: BILATERAL_RECEPTIVE_FIELD(2), sizeMultiple: 1 }, (t) => bilateral(t, 2, 2.5 * s));
      },
    });
    return methods;
  },
};

/** PSNR/SSIM of the model and the classical baselines on photos with seeded synthetic noise. */
export const evals: EvalCommand[] = [degradationEval(denoiseTask, '--task denoise --data <folder of clean photos> [--sigma 25] [--seed 0] [--protocol standard|realistic] [--methods model,nlm,bilateral] [--limit N] [--json]')];
