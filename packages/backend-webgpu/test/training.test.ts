// The trainer from @saekit/core on this backend: a few steps match the cpu backend, and the
// synthetic ground-truth recovery of core's own test holds.
import { createCpuBackend, type SaeWeights, SyntheticActivations, Trainer } from '@saekit/core';
import { expectRecovered, runRecoveryScenario } from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';
import { createWebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

describe.skipIf(probe.skip)(`trainer on webgpu (${probe.reason})`, () => {
  it('10 Top-K steps with AuxK match the cpu backend', async () => {
    const data = new SyntheticActivations({
      dIn: 48,
      nFeatures: 300,
      activePerToken: 5,
      batchSize: 128,
      seed: 3,
    });
    const config = {
      dIn: 48,
      dSae: 200,
      k: 6,
      batchSize: 128,
      steps: 10,
      seed: 5,
      deadTokens: 256,
    };
    const initData = data.batch(512);
    const batches = Array.from({ length: 10 }, () => data.batch(128));
    const run = async (
      backend:
        | Awaited<ReturnType<typeof createWebGpuBackend>>
        | ReturnType<typeof createCpuBackend>,
    ) => {
      const trainer = await Trainer.create(backend, config, { initData });
      const fvu: number[] = [];
      for (const b of batches) fvu.push((await trainer.step(b)).fvu);
      const w = await trainer.exportWeights();
      trainer.dispose();
      return { w, fvu };
    };
    const gpu = await createWebGpuBackend();
    try {
      const got = await run(gpu);
      const want = await run(createCpuBackend());
      const keys: (keyof SaeWeights & ('wEnc' | 'wDec' | 'bEnc' | 'bDec'))[] = [
        'wEnc',
        'wDec',
        'bEnc',
        'bDec',
      ];
      // Tolerance 1e-3 of each tensor's largest entry, for summation order: on a GPU the
      // scatter lists (integer-atomic slot order), scatterAdd (compare-exchange order) and
      // the split-K partial sums add float32 terms in an order that varies from run to run,
      // so each step differs from cpu by float32 rounding (about 1e-7 relative per sum) that
      // 10 Adam steps amplify; 1e-3 covers that on any adapter while a wrong gradient
      // (an error of order 1 in some entry) still fails.
      for (const key of keys) {
        expect(maxRelDiff(got.w[key], want.w[key]), key).toBeLessThan(1e-3);
      }
      for (const [i, f] of got.fvu.entries()) expect(f).toBeCloseTo(want.fvu[i], 3);
    } finally {
      await gpu.destroy();
    }
  });

  it('pipelines compile asynchronously; after warm-up a step creates and waits for none', async () => {
    const backend = await createWebGpuBackend();
    let compiledSync = 0;
    const device = backend.device;
    const original = device.createComputePipeline.bind(device);
    device.createComputePipeline = (d: GPUComputePipelineDescriptor) => {
      compiledSync++;
      return original(d);
    };
    try {
      const data = new SyntheticActivations({ dIn: 32, nFeatures: 128, batchSize: 64, seed: 1 });
      const trainer = await Trainer.create(
        backend,
        { dIn: 32, dSae: 128, k: 4, batchSize: 64, steps: 4, seed: 1, deadTokens: 64 },
        { initData: data.batch(256) },
      );
      const before = backend.stats;
      await trainer.step(data.batch(64));
      const first = backend.stats;
      // The first step compiled its kernels and its submit waited for them.
      expect(first.pipelinesCreated).toBeGreaterThan(before.pipelinesCreated);
      expect(first.compileWaits).toBeGreaterThan(before.compileWaits);
      await trainer.step(data.batch(64));
      const warm = backend.stats;
      const m = await trainer.step(data.batch(64));
      await trainer.step(data.batch(64));
      const after = backend.stats;
      expect(m.deadFraction).toBeGreaterThan(0); // the AuxK kernels ran in the steps counted
      expect(after.pipelinesCreated).toBe(warm.pipelinesCreated);
      expect(after.compileWaits).toBe(warm.compileWaits);
      expect(after.submits).toBeGreaterThan(warm.submits);
      expect(compiledSync).toBe(0);
      trainer.dispose();
    } finally {
      await backend.destroy();
    }
  });

  it('a Top-K SAE (m = 256, k = 4) recovers ≥ 90% of 256 true features in d = 32', async () => {
    // core's shared scenario; 2500 steps take about 80 s on llvmpipe with two shared cores.
    const backend = await createWebGpuBackend();
    try {
      expectRecovered(await runRecoveryScenario(backend));
    } finally {
      await backend.destroy();
    }
  }, 1_500_000);
});
