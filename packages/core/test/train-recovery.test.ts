import { createCpuBackend, featureRecovery, SyntheticActivations, Trainer } from '@saekit/core';
import { describe, expect, it } from 'vitest';

describe('synthetic ground truth', () => {
  it('a Top-K SAE (m = 256, k = 4) recovers ≥ 90% of 256 true features in d = 32', async () => {
    const data = new SyntheticActivations({
      dIn: 32,
      nFeatures: 256,
      activePerToken: 4,
      frequencyExponent: 0.3, // rarest feature fires 5× less often than the most common
      correlatedPairs: 4,
      batchSize: 256,
      seed: 1,
    });
    const backend = createCpuBackend();
    const trainer = await Trainer.create(backend, {
      dIn: 32,
      dSae: 256,
      k: 4,
      batchSize: 256,
      steps: 2500,
      lr: 0.02,
      seed: 0,
    });
    const summary = await trainer.train(data);
    expect(summary.stopped).toBe('completed');
    expect(summary.steps).toBe(2500);
    const weights = await trainer.exportWeights();
    const r = featureRecovery(weights.wDec, data.dictionary, 32);
    expect(r.recoveredFraction).toBeGreaterThanOrEqual(0.9);
    expect(r.mmcs).toBeGreaterThan(0.95);
    // The tied random init matches almost nothing: what was recovered was learned.
    const init = await Trainer.create(
      backend,
      { dIn: 32, dSae: 256, k: 4, seed: 0 },
      {
        initData: data.batch(256),
      },
    );
    const r0 = featureRecovery((await init.exportWeights()).wDec, data.dictionary, 32);
    expect(r0.recoveredFraction).toBeLessThan(0.05);
    expect(summary.last!.fvu).toBeLessThan(0.3);
    trainer.dispose();
  });
});
