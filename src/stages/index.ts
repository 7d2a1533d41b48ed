/**
 * Every restoration stage, worker side. A stage is a folder with meta.ts,
 * worker.ts and client.tsx; listing it here is the only other step. The pipeline
 * orders stages by their metadata, never by this list.
 */
import { StageRegistry } from '../engine/pipeline/pipeline.ts';
import { stage as colour } from './colour/worker.ts';
import { stage as denoise } from './denoise/worker.ts';
import { stage as fill } from './fill/worker.ts';
import { stage as deblur } from './deblur/worker.ts';

export const stageRegistry = new StageRegistry([fill, colour, deblur, denoise]);
