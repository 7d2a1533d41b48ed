import { describe, expect, it } from 'vitest';
import { runNodeBench } from '../../src/node/bench/node-bench.ts';
import { formatReport, nodeReferenceOf } from '../../src/node/bench/report.ts';
import { benchPhoto, benchPhotoSize } from '../../src/node/bench/bench-photo.ts';

describe('bench: synthetic photo', () => {
  it('has the asked size (3:2) and is deterministic per seed', () => {
    expect(benchPhotoSize(24)).toEqual({ width: 6000, height: 4000 });
    const a = benchPhoto(0.05, { seed: 3 });
    const b = benchPhoto(0.05, { seed: 3 });
    const c = benchPhoto(0.05, { seed: 4 });
    expect(a.width * a.height).toBeGreaterThan(0.045e6);
    expect(a.data.length).toBe(a.width * a.height * 4);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
    expect(a.data[3]).toBe(255);
  });

  it('carries print damage over about the asked share of its pixels, and camera shake', () => {
    const pixelsThatDiffer = (x: Uint8ClampedArray, y: Uint8ClampedArray) => {
      let n = 0;
      for (let p = 0; p < x.length; p += 4) if (x[p] !== y[p] || x[p + 1] !== y[p + 1] || x[p + 2] !== y[p + 2]) n++;
      return n / (x.length / 4);
    };
    const damaged = benchPhoto(0.3, { seed: 2 });
    const share = pixelsThatDiffer(damaged.data, benchPhoto(0.3, { seed: 2, damage: 0 }).data);
    expect(share).toBeGreaterThan(0.008);
    expect(share).toBeLessThan(0.012);
    expect(pixelsThatDiffer(damaged.data, benchPhoto(0.3, { seed: 2, damage: 0.03 }).data)).toBeGreaterThan(0.015);
    // the streak changes the photo where it is not damaged, and without it the photo is another one
    const sharp = benchPhoto(0.3, { seed: 2, damage: 0, shake: 0 });
    expect(pixelsThatDiffer(sharp.data, benchPhoto(0.3, { seed: 2, damage: 0, shake: 9 }).data)).toBeGreaterThan(0.2);
  });
});

describe('bench: node', () => {
  it('runs the automatic pipeline on 0.3 MP with the tiny model and reports positive timings', async () => {
    const lines: string[] = [];
    const r = await runNodeBench({ megapixels: 0.3, backend: 'node', model: 'denoise=tiny-test', warmupSide: 64, log: (l) => lines.push(l) });
    expect(r.tool).toBe('heirloom-bench');
    expect(r.backend).toBe('node');
    expect(r.megapixels).toBeGreaterThan(0.29);
    expect(r.megapixels).toBeLessThan(0.31);
    expect(r.runtime.runtime).toBe('onnxruntime-node');
    expect(r.runtime.threads).toBeGreaterThan(0);
    expect(r.stages.length).toBeGreaterThan(0);
    const stages = r.stages.map((s) => s.stage);
    // The noisy synthetic photo gets a denoise, run by the tiny model, whether proposed or the default.
    expect(stages).toContain('denoise');
    const denoise = r.stages.find((s) => s.stage === 'denoise')!;
    expect(denoise.method).toBe('model');
    expect(denoise.model).toBe('tiny-test@1.0.0');
    expect(denoise.tiles).toBeGreaterThan(1);
    for (const s of r.stages) {
      expect(s.ms).toBeGreaterThan(0);
      expect(s.mpPerSec).toBeGreaterThan(0);
    }
    expect(r.analyzeMs).toBeGreaterThan(0);
    expect(r.total.ms).toBeGreaterThanOrEqual(r.total.pipelineMs);
    expect(r.total.mpPerSec).toBeGreaterThan(0);
    expect(r.peakRssMB).toBeGreaterThan(10);
    expect(r.memory.maxRssMB).toBeGreaterThanOrEqual(r.peakRssMB * 0.9);
    expect(r.memory.samples).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith('analyze'))).toBe(true);
    // JSON-safe and printable.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(formatReport(r).join('\n')).toMatch(/denoise .* MP\/s/);
    // A browser run's report gives each time as a ratio to the node reference's (here the run itself, at half its time).
    const ref = nodeReferenceOf({ ...r, analyzeMs: r.analyzeMs / 2, stages: r.stages.map((s) => ({ ...s, ms: s.ms / 2 })) });
    const withRef = formatReport({ ...r, nodeReference: ref }).join('\n');
    expect(withRef).toMatch(/analyze .* 2\.00x node/);
    expect(withRef).toMatch(/denoise .* 2\.00x node/);
    expect(withRef).toMatch(/node reference: onnxruntime-node/);
    expect(formatReport(r).join('\n')).not.toMatch(/x node/);
  }, 60_000); // a hang guard, not a speed target: 9-13 s here, 21 s once with two evaluations running beside it
});
