import { benchmarkTrainingStep, createCpuBackend, Trainer, timeKernels } from '@saekit/core';
import { describe, expect, it } from 'vitest';

describe('benchmarkTrainingStep', () => {
  it('reports a step, its floor and their ratio, and per-kernel times', async () => {
    const backend = createCpuBackend();
    const r = await benchmarkTrainingStep(
      backend,
      { dIn: 16, dSae: 64, k: 4, batchSize: 32 },
      { warmupSteps: 1, steps: 2, kernelTimes: true },
    );
    expect(r.backend).toBe('cpu');
    expect(r.stepMs).toBeGreaterThan(0);
    expect(r.floorMs).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.stepMs / r.floorMs, 10);
    expect(r.tokensPerSecond).toBeCloseTo((32 * 1000) / r.stepMs, 6);
    // A Top-K step uses the encoder product, top-k and the sparse kernels; never a dense decode.
    for (const k of ['matmul', 'topk', 'gatherSum', 'gatherDot', 'scatterOuterAdd', 'adam']) {
      expect(r.kernelMs?.[k as 'matmul'], k).toBeGreaterThanOrEqual(0);
    }
  });

  it('deadTokens makes latents that missed a batch dead, so the timed steps run AuxK', async () => {
    const shape = { dIn: 16, dSae: 256, k: 2, batchSize: 16 }; // 32 firings: most latents miss
    const opts = { warmupSteps: 1, steps: 2, rounds: 1 };
    const alive = await benchmarkTrainingStep(createCpuBackend(), shape, {
      ...opts,
      deadTokens: 1e7,
    });
    expect(alive.deadFraction).toBe(0);
    const dying = await benchmarkTrainingStep(createCpuBackend(), shape, {
      ...opts,
      deadTokens: 1,
    });
    expect(dying.deadFraction).toBeGreaterThan(0.5);
    // The trainer's own rule for so short a run also kills what missed a batch.
    const byDefault = await benchmarkTrainingStep(createCpuBackend(), shape, opts);
    expect(byDefault.deadFraction).toBe(dying.deadFraction);
  });

  it('timeKernels counts calls only while enabled and forwards results', async () => {
    const t = timeKernels(createCpuBackend());
    const a = t.backend.create([2], 'float32', Float32Array.from([1, 2]));
    t.backend.fill(a, 3);
    t.setEnabled(true);
    t.backend.fill(a, 5);
    t.setEnabled(false);
    expect(t.calls.get('fill')).toBe(1);
    expect(Array.from(await t.backend.read(a))).toEqual([5, 5]);
  });

  it('a Top-K step issues two matmuls (encoder, b_dec matvec): no dense decode or gradient', async () => {
    const t = timeKernels(createCpuBackend());
    const trainer = await Trainer.create(t.backend, { dIn: 8, dSae: 32, k: 2, batchSize: 16 });
    const batch = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    await trainer.step(batch);
    t.setEnabled(true);
    await trainer.step(batch);
    await trainer.step(batch);
    expect(t.calls.get('matmul')).toBe(4);
    expect(t.calls.get('topk')).toBe(4); // main and AuxK
  });
});
