// `bench:gpu` at a small shape, so the command a first GPU run depends on cannot rot. No
// timing is asserted: only that every figure is produced and the counters behave.
import { describe, expect, it } from 'vitest';
import { runGpuBench } from '../bench/gpuBench.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

describe.skipIf(probe.skip)(`bench:gpu (${probe.reason})`, () => {
  it('reports the adapter, matmuls, both dead-latent scenarios and per-kernel rows', async () => {
    const lines: string[] = [];
    const r = await runGpuBench({
      d: 32,
      m: 256,
      k: 4,
      B: 64,
      steps: 1,
      peakTflops: 1,
      peakGbps: 10,
      log: (l) => lines.push(l),
    });
    expect(r.adapter.description.length).toBeGreaterThan(0);
    expect(r.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(Object.keys(r.matmul)).toHaveLength(3);
    // Each product names the implementation it ran (what a GPU run compares).
    for (const { paths } of Object.values(r.matmul)) {
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(p).toMatch(/^(matmul|gemv)/);
    }
    expect(r.floorMs).toBeGreaterThan(0);
    const [alive, dead] = r.scenarios;
    expect(alive.deadFraction).toBe(0);
    expect(dead.deadFraction).toBeGreaterThan(0.5);
    for (const s of r.scenarios) {
      expect(s.stepMs).toBeGreaterThan(0);
      expect(s.hostMsPerStep).toBeGreaterThan(0);
      expect(s.dispatchesPerStep).toBeGreaterThan(20);
      // Bind groups are cached: after warm-up a step creates none.
      expect(s.bindGroupsCreatedPerStep).toBe(0);
      // Pipelines compiled (asynchronously) during warm-up: none in the steps timed.
      expect(s.pipelinesCreatedPerStep).toBe(0);
      expect(s.rooflineStepMs).toBeGreaterThan(0);
      const kernels = s.kernels.map((k) => k.kernel);
      expect(kernels).toEqual(expect.arrayContaining(['matmul', 'topk', 'scatterOuterAdd']));
      const mm = s.kernels.find((k) => k.kernel === 'matmul');
      expect(mm?.gflops).toBeGreaterThan(0);
    }
    expect(lines.some((l) => l.startsWith('adapter: '))).toBe(true);
  });
});
