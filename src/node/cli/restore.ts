/**
 * npm run restore -- <input> <output> [--stages auto|name,name] [--strength 0..1] [--follow-cracks] [--backend node|wasm]
 *
 * Restores one photo, or every photo of a folder into an output folder, through
 * the same analysis, pipeline and tiling as the app. Keeps EXIF and the colour profile.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StageOptions, StageRequest } from '../../engine/pipeline/stage.ts';
import { proposeStages } from '../../engine/analysis/index.ts';
import type { RestorationService } from '../../engine/service/restoration-service.ts';
import { decodeFile, encodeFile, formatFromPath } from './node-image.ts';
import { createService, progressPrinter, runMain, UsageError } from './setup.ts';

const USAGE = `usage: npm run restore -- <input file|folder> <output file|folder>
  [--stages auto|fill,colour,deblur,denoise] [--strength 0..1] [--backend node|wasm]
  [--precision int8|fp32] [--model task=id] [--quality 1..100]
  [--follow-cracks] (the fill follows the cracks it finds further along bright lines, as the app's option)`;

const PHOTO_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.gif', '.bmp']);

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      stages: { type: 'string', default: 'auto' },
      strength: { type: 'string' },
      backend: { type: 'string', default: 'node' },
      precision: { type: 'string' },
      model: { type: 'string' },
      models: { type: 'string' },
      quality: { type: 'string', default: '92' },
      'follow-cracks': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(USAGE);
  const [input, output] = positionals;
  const strength = values.strength === undefined ? undefined : Number(values.strength);
  if (strength !== undefined && !(strength >= 0 && strength <= 1)) throw new UsageError('--strength must be between 0 and 1');
  const quality = Number(values.quality);
  const extra: Record<string, Partial<StageOptions>> = values['follow-cracks'] ? { fill: { followCracks: true } } : {};

  const inputStat = await stat(input).catch(() => {
    throw new UsageError(`input "${input}" does not exist`);
  });
  const service = await createService(values);
  console.error(`runtime: ${service.runtime.info.runtime} (${service.runtime.info.backend}, ${service.runtime.info.threads} threads)`);

  if (!inputStat.isDirectory()) {
    formatFromPath(output);
    await restoreOne(service, input, output, values.stages!, strength, quality, extra);
    return 0;
  }
  // Batch: every photo of the folder; one bad file is reported and skipped, the rest go on.
  await mkdir(output, { recursive: true });
  const files = (await readdir(input)).filter((f) => PHOTO_EXT.has(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new UsageError(`no photos in folder "${input}"`);
  let failed = 0;
  for (const [i, f] of files.entries()) {
    const ext = extname(f).toLowerCase();
    const outName = ['.jpg', '.jpeg', '.png', '.webp'].includes(ext) ? f : `${basename(f, ext)}.png`;
    console.error(`[${i + 1}/${files.length}] ${f}`);
    try {
      await restoreOne(service, join(input, f), join(output, outName), values.stages!, strength, quality, extra);
    } catch (e) {
      failed++;
      console.error(`  skipped: ${(e as Error).message}`);
    }
  }
  console.error(`${files.length - failed} of ${files.length} restored into ${output}`);
  return failed ? 1 : 0;
}

async function restoreOne(
  service: RestorationService,
  input: string,
  output: string,
  stagesArg: string,
  strength: number | undefined,
  quality: number,
  extra: Record<string, Partial<StageOptions>>,
) {
  const { image, source } = await decodeFile(input);
  const analysis = await service.analyze(image);
  let requests: StageRequest[];
  if (stagesArg === 'auto') {
    const proposals = proposeStages(analysis, service.stages.ids());
    requests = proposals.map((p) => ({ stage: p.stage, options: { strength: strength ?? p.strength, ...extra[p.stage] } }));
    for (const p of proposals) console.error(`  ${p.stage}: ${p.why}`);
    if (requests.length === 0) console.error('  nothing to fix: the photo is written unchanged');
  } else {
    requests = stagesArg.split(',').map((name) => {
      const stage = name.trim();
      return { stage, options: { ...(strength === undefined ? {} : { strength }), ...extra[stage] } };
    });
  }
  const print = progressPrinter(' ');
  const results = await service.run(
    image,
    requests,
    { onProgress: (p) => print((p.stageIndex + p.done / p.total) / p.stageCount, p.stage) },
    analysis,
  );
  for (const r of results) console.error(`  ${r.stage}: ${r.method}${r.model ? ` ${r.model.id}@${r.model.version}` : ''}${r.detail ? ` (${r.detail})` : ''}, ${(r.ms / 1000).toFixed(1)} s`);
  await encodeFile(results.at(-1)?.image ?? image, output, source, quality);
  console.error(`  wrote ${output} (${image.width}x${image.height})`);
}

runMain(main);
