// core's synthetic-recovery test (test/train-recovery.test.ts there), same data and config,
// on tfjs wasm.
//
// Its recovered-fraction bar is 0.9 on one run; that bar sits inside the run-to-run spread of
// any backend. Measured recovered fraction, cpu reference / tfjs wasm, trainer seeds 0-3:
// 0.910 / 0.895, 1.000 / 1.000, 0.898 / 0.887, 0.918 / 0.930 (the reference itself fails 0.9
// at seed 2). wasm rounds differently, so its trajectory differs; it trains as well as the
// reference. The bar here is 0.875 (224 of 256 features) with core's MMCS and FVU bars.
import { featureRecovery, SyntheticActivations, Trainer } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../src/index.js';

describe('training on tfjs wasm', () => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ prefer: ['wasm'] });
  });
  afterAll(() => backend.destroy());

  it('a Top-K SAE (m = 256, k = 4) recovers the true features of synthetic data in d = 32', async () => {
    const data = new SyntheticActivations({
      dIn: 32,
      nFeatures: 256,
      activePerToken: 4,
      frequencyExponent: 0.5,
      correlatedPairs: 4,
      batchSize: 256,
      seed: 1,
    });
    const config = { dIn: 32, dSae: 256, k: 4, batchSize: 256, lr: 0.02, seed: 0 };
    const trainer = await Trainer.create(backend, { ...config, steps: 2500 });
    try {
      const summary = await trainer.train(data);
      expect(summary.stopped).toBe('completed');
      expect(summary.steps).toBe(2500);
      const r = featureRecovery((await trainer.exportWeights()).wDec, data.dictionary, 32);
      expect(r.recoveredFraction).toBeGreaterThanOrEqual(0.875);
      expect(r.mmcs).toBeGreaterThan(0.95);
      expect(summary.last!.fvu).toBeLessThan(0.3);
    } finally {
      trainer.dispose();
    }
    // The tied random init matches almost nothing: what was recovered was learned.
    const init = await Trainer.create(backend, config, { initData: data.batch(256) });
    try {
      const r0 = featureRecovery((await init.exportWeights()).wDec, data.dictionary, 32);
      expect(r0.recoveredFraction).toBeLessThan(0.05);
    } finally {
      init.dispose();
    }
  }, 600_000);
});
