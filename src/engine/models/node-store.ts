/** Node model store for the CLI, eval and tests: files are read from a models folder on disk. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelStore } from './registry.ts';

export function nodeModelStore(dir: string): ModelStore {
  return {
    async manifest() {
      return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    },
    async fetch(file, _expected, onProgress) {
      const path = join(dir, file);
      const size = (await stat(path)).size;
      const bytes = new Uint8Array(await readFile(path));
      onProgress?.(size, size);
      return bytes;
    },
  };
}
