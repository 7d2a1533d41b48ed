import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPattern } from '../helpers/models.ts';

const exec = promisify(execFile);

describe('npm run eval', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heirloom-eval-'));
    for (const [i, [w, h]] of [[64, 48], [45, 37]].entries()) {
      const { data } = testPattern(w, h, i + 7);
      await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 4 } }).png().toFile(join(dir, `img${i}.png`));
    }
  });

  async function evalJson(...args: string[]) {
    const { stdout } = await exec('npx', ['tsx', 'src/node/cli/eval.ts', '--task', 'denoise', '--data', dir, '--model', 'denoise=tiny-test', '--json', ...args]);
    const lines = stdout.trim().split('\n');
    return { lines, summary: JSON.parse(lines.at(-1)!) };
  }

  it('prints per-image scores and ends with one JSON line of means, deterministic per seed', async () => {
    const a = await evalJson('--sigma', '25', '--seed', '3', '--backend', 'wasm');
    expect(a.lines.filter((l) => l.startsWith('img'))).toHaveLength(2);
    expect(a.summary).toMatchObject({ task: 'denoise', images: 2, sigma: 25, seed: 3, protocol: 'standard' });
    const names = Object.keys(a.summary.mean);
    expect(names).toEqual(['input', 'model:tiny-test', 'classical:nlm', 'classical:bilateral']);
    // Noise of sigma 25 on an 8-bit photo is ~20 dB; NLM must clearly improve on it.
    expect(a.summary.mean.input.psnr).toBeGreaterThan(19);
    expect(a.summary.mean.input.psnr).toBeLessThan(22);
    expect(a.summary.mean['classical:nlm'].psnr).toBeGreaterThan(a.summary.mean.input.psnr + 3);

    const again = await evalJson('--sigma', '25', '--seed', '3', '--backend', 'node');
    expect(again.summary.mean.input).toEqual({ ...a.summary.mean.input, ms: again.summary.mean.input.ms });
    // onnxruntime-node and onnxruntime-web (WASM) agree on the same fp32 model to well under 0.05 dB.
    expect(Math.abs(again.summary.mean['model:tiny-test'].psnr - a.summary.mean['model:tiny-test'].psnr)).toBeLessThan(0.05);
    const other = await evalJson('--sigma', '25', '--seed', '4');
    expect(other.summary.mean.input.psnr).not.toBe(a.summary.mean.input.psnr);
  });

  it('runs the realistic protocol (grain + JPEG)', async () => {
    const r = await evalJson('--protocol', 'realistic', '--seed', '0');
    expect(r.summary.protocol).toBe('realistic');
    expect(r.summary.mean.input.psnr).toBeGreaterThan(15);
  });
});
