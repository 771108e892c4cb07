import { createCpuBackend, featureRecovery, SyntheticActivations, Trainer } from '@saekit/core';
import { expectRecovered, runRecoveryScenario } from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';

describe('synthetic ground truth', () => {
  it('a Top-K SAE (m = 256, k = 4) recovers ≥ 90% of 256 true features in d = 32', async () => {
    // The shared scenario from @saekit/core/testing: every backend runs this same one.
    expectRecovered(await runRecoveryScenario(createCpuBackend()));
  });

  it('one seed for the data and the trainer does not start the SAE at the true dictionary', async () => {
    // Regression: both used to draw the same Gaussian stream, so with equal seeds and
    // m = n_true the tied init WAS the dictionary and "recovery" needed no training.
    const seed = 7;
    const data = new SyntheticActivations({ dIn: 32, nFeatures: 256, activePerToken: 4, seed });
    const trainer = await Trainer.create(
      createCpuBackend(),
      { dIn: 32, dSae: 256, k: 4, seed },
      { initData: data.batch(256) },
    );
    const r0 = featureRecovery((await trainer.exportWeights()).wDec, data.dictionary, 32);
    expect(r0.recoveredFraction).toBeLessThan(0.05);
    expect(r0.mmcs).toBeLessThan(0.7);
    trainer.dispose();
  });
});
