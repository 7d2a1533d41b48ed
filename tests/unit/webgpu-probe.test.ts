import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter, probeWebGpu } from '../../src/engine/runtime/web-backend.ts';

const gpu = (info: Record<string, unknown>, isFallbackAdapter?: boolean) => ({
  requestAdapter: async () => ({ features: { has: () => false }, info, isFallbackAdapter }),
});

describe('WebGPU adapter label', () => {
  it("labels Chromium's SwiftShader as a software renderer even when it is not flagged as a fallback adapter", async () => {
    const probe = await probeWebGpu(gpu({ vendor: 'google', architecture: 'swiftshader', description: '' }, false));
    expect(probe.available).toBe(true);
    expect(probe.adapter).toBe('google swiftshader (software renderer, no GPU)');
  });

  it('labels adapters flagged as fallback (old and new places of the flag)', async () => {
    expect((await probeWebGpu(gpu({ vendor: 'x' }, true))).adapter).toMatch(/software renderer/);
    expect((await probeWebGpu(gpu({ vendor: 'x', isFallbackAdapter: true }))).adapter).toMatch(/software renderer/);
  });

  it('leaves real GPUs alone', async () => {
    expect((await probeWebGpu(gpu({ vendor: 'nvidia', architecture: 'hopper', description: '' }))).adapter).toBe('nvidia hopper');
    expect(isSoftwareAdapter('apple metal-3')).toBe(false);
    for (const name of ['Mesa llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver', 'lavapipe']) expect(isSoftwareAdapter(name)).toBe(true);
  });
});
