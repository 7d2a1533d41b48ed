import { describe, expect, it } from 'vitest';
import { runNodeBench } from '../../src/node/bench/node-bench.ts';
import { formatReport } from '../../src/node/bench/report.ts';
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
  }, 60_000); // a hang guard, not a speed target: 9-13 s here, 21 s once with two evaluations running beside it
});
