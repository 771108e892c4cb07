import { type Backend, createCpuBackend } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { chooseBackend, describeChoice, slowerThanCpu } from '../src/backends.js';
import { probeWebGpu } from '../src/webgpu-probe.js';

const fake = (name: string, extra: object): Backend => ({ name, ...extra }) as unknown as Backend;

describe('slowerThanCpu (what auto passes over)', () => {
  it('passes over a WebGPU software rasterizer, not a hardware adapter', () => {
    const llvmpipe = fake('webgpu', {
      adapter: { description: 'llvmpipe: Mesa 25.0.7', device: '' },
    });
    expect(slowerThanCpu(llvmpipe)).toMatch(/llvmpipe software rasterizer/);
    const nvidia = fake('webgpu', { adapter: { description: 'NVIDIA H100', device: '' } });
    expect(slowerThanCpu(nvidia)).toBeUndefined();
  });

  it('passes over tfjs on its own cpu kernels, saying why native was skipped, but keeps wasm', () => {
    const skipped = [{ kind: 'tensorflow', reason: 'tfjs-node not installed' }];
    const tfjsCpu = fake('tfjs', { choice: { kind: 'cpu', skipped } });
    expect(slowerThanCpu(tfjsCpu)).toMatch(/cpu backend.*tfjs-node not installed/);
    expect(slowerThanCpu(fake('tfjs', { choice: { kind: 'wasm', skipped } }))).toBeUndefined();
    expect(
      slowerThanCpu(fake('tfjs', { choice: { kind: 'tensorflow', skipped: [] } })),
    ).toBeUndefined();
  });

  it('never passes over the cpu backend', () => {
    expect(slowerThanCpu(createCpuBackend())).toBeUndefined();
  });
});

describe('chooseBackend', () => {
  it('creates the named backend and describes the choice', async () => {
    const chosen = await chooseBackend('cpu');
    expect(chosen.backend.name).toBe('cpu');
    expect(describeChoice(chosen)).toBe('backend: cpu');
    await chosen.backend.destroy();
  });

  it('auto always ends with a working backend and a reason for each one skipped', async () => {
    const chosen = await chooseBackend('auto');
    const skipped = chosen.refused.map((r) => r.name);
    expect(['webgpu', 'tfjs', 'cpu']).toContain(chosen.backend.name);
    expect(skipped).not.toContain(chosen.backend.name);
    for (const r of chosen.refused) expect(r.reason.length).toBeGreaterThan(0);
    await chosen.backend.destroy();
  });
});

describe('probeWebGpu', () => {
  it('says a missing package is not installed, without starting a process', async () => {
    expect(await probeWebGpu('@saekit/no-such-backend')).toEqual({
      ok: false,
      reason: 'package @saekit/no-such-backend is not installed',
    });
  });
});
