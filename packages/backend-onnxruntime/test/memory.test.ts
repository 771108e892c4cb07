// Memory must stay flat over a long run: the heap (every tensor and scratch block) exactly,
// ORT's sessions in number, and the process's resident set (which holds ORT's arenas and
// thread pools) within a small margin.
import { SyntheticActivations, Trainer } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxruntimeBackend, type OnnxruntimeBackend } from '../src/index.js';
import { cblasAvailability } from './support/cblas.js';

const STEPS = 5000;

const variants = (cblasAvailability().ok ? ['cblas', 'mlas'] : ['mlas']) as ('cblas' | 'mlas')[];

describe.each(variants)('onnxruntime (%s) memory under the trainer', (gemm) => {
  let backend: OnnxruntimeBackend;
  beforeAll(() => {
    backend = createOnnxruntimeBackend({ gemm });
  });
  afterAll(() => backend.destroy());

  it(`heap, sessions and RSS stay flat over ${STEPS} steps with AuxK and a short last batch`, async () => {
    const dIn = 16;
    const batchSize = 40;
    const data = new SyntheticActivations({ dIn, nFeatures: 48, batchSize, seed: 2 });
    const trainer = await Trainer.create(
      backend,
      { dIn, dSae: 64, k: 3, batchSize, steps: STEPS + 100, deadTokens: 80, seed: 1 },
      { initData: data.batch(256) },
    );
    // Alternate full and short batches: two work-tensor sets, each reused from then on.
    const short = data.batch().subarray(0, 17 * dIn);
    let sawAuxk = false;
    const step = async (i: number) => {
      const m = await trainer.step(i % 10 === 9 ? short : data.batch());
      sawAuxk ||= m.auxk > 0;
    };
    try {
      for (let i = 0; i < 200; i++) await step(i);
      const heap = backend.heapBytes();
      const sessions = backend.sessionCount();
      global.gc?.();
      const rss = process.memoryUsage().rss;
      for (let i = 200; i < STEPS; i++) await step(i);
      global.gc?.();
      const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
      expect(sawAuxk, 'the run exercised AuxK').toBe(true);
      expect(backend.heapBytes()).toEqual(heap);
      expect(backend.sessionCount()).toBe(sessions);
      // A leak of one [40, 64] buffer per step would add 50 MiB over the run.
      expect(grown, `RSS grew ${grown.toFixed(1)} MiB`).toBeLessThan(16);
    } finally {
      trainer.dispose();
    }
  }, 600_000);
});
