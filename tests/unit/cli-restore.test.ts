import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPattern } from '../helpers/models.ts';

const exec = promisify(execFile);

async function restore(...args: string[]) {
  try {
    const r = await exec('npx', ['tsx', 'src/node/cli/restore.ts', ...args], { env: { ...process.env, CI: '1' } });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('npm run restore', () => {
  let dir: string;
  let photo: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heirloom-cli-'));
    const { width, height, data } = testPattern(97, 61, 3);
    photo = join(dir, 'photo.jpg');
    await sharp(Buffer.from(data), { raw: { width, height, channels: 4 } })
      .withExif({ IFD0: { Make: 'HeirloomTestCam', Model: 'T1' } })
      .jpeg({ quality: 90 })
      .toFile(photo);
  });

  it('restores a photo with the tiny model, keeping size and EXIF', async () => {
    const out = join(dir, 'out.png');
    const r = await restore(photo, out, '--stages', 'denoise', '--model', 'denoise=tiny-test', '--backend', 'wasm');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/denoise: model tiny-test/);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([97, 61]);
    expect(meta.exif?.toString('latin1')).toContain('HeirloomTestCam');
    const [a, b] = await Promise.all([photo, out].map((p) => sharp(p).removeAlpha().raw().toBuffer()));
    expect(Buffer.compare(a, b)).not.toBe(0);
  });

  it('restores a folder in batch and reports a bad file without stopping', async () => {
    const inDir = join(dir, 'batch');
    const outDir = join(dir, 'batch-out');
    await exec('mkdir', ['-p', inDir]);
    await exec('cp', [photo, join(inDir, 'a.jpg')]);
    await writeFile(join(inDir, 'b.jpg'), new Uint8Array(0));
    const r = await restore(inDir, outDir, '--stages', 'denoise', '--model', 'denoise=tiny-test');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/b\.jpg is empty/);
    expect(await readdir(outDir)).toEqual(['a.jpg']);
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const empty = join(dir, 'empty.jpg');
    await writeFile(empty, new Uint8Array(0));
    const e1 = await restore(empty, join(dir, 'x.png'));
    expect(e1.code).not.toBe(0);
    expect(e1.out).toMatch(/empty \(0 bytes\)/);

    const jpeg = await sharp(photo).toBuffer();
    const truncated = join(dir, 'truncated.jpg');
    await writeFile(truncated, jpeg.subarray(0, jpeg.length >> 1));
    const e2 = await restore(truncated, join(dir, 'x.png'));
    expect(e2.code).not.toBe(0);
    expect(e2.out).toMatch(/incomplete/);

    const missing = await restore(join(dir, 'nope.jpg'), join(dir, 'x.png'));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/does not exist/);
  });
});
