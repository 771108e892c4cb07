import { expect } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { featureRecovery } from '../synthetic/recovery.js';
import { SyntheticActivations } from '../synthetic/synthetic.js';
import { Trainer } from '../train/trainer.js';

/**
 * The synthetic ground-truth scenario every backend must pass: d = 32, 256 true features
 * with about 4 active per token, a Top-K SAE with m = 256, k = 4. One definition, so a
 * backend's test cannot drift to other data (copies once did, to a harder frequency
 * exponent, and failed for it).
 */
export const RECOVERY_SCENARIO = {
  data: {
    dIn: 32,
    nFeatures: 256,
    activePerToken: 4,
    // The rarest feature fires 5× less often than the most common. With the default 0.5,
    // m = n_true tops out near 91–93% (rare features share latents): too close to the bar.
    frequencyExponent: 0.3,
    correlatedPairs: 4,
    batchSize: 256,
    seed: 1,
  },
  trainer: { dIn: 32, dSae: 256, k: 4, batchSize: 256, steps: 2500, lr: 0.02, seed: 0 },
} as const;

/** The bars the scenario must clear. */
export const RECOVERY_BARS = {
  /** Fraction of true features some decoder row matches at cosine ≥ 0.9. */
  recoveredFraction: 0.9,
  mmcs: 0.95,
  finalFvu: 0.3,
  /** The same measure on the untrained init: what was recovered must have been learned. */
  initRecoveredFraction: 0.05,
} as const;

export interface RecoveryResult {
  readonly steps: number;
  readonly recoveredFraction: number;
  readonly mmcs: number;
  readonly finalFvu: number;
  readonly initRecoveredFraction: number;
}

/** Trains the scenario on `backend` (which the caller owns) and measures recovery. */
export async function runRecoveryScenario(backend: Backend): Promise<RecoveryResult> {
  const data = new SyntheticActivations(RECOVERY_SCENARIO.data);
  const { dIn } = RECOVERY_SCENARIO.data;
  const init = await Trainer.create(backend, RECOVERY_SCENARIO.trainer, {
    initData: data.batch(RECOVERY_SCENARIO.data.batchSize),
  });
  let initRecoveredFraction: number;
  try {
    initRecoveredFraction = featureRecovery(
      (await init.exportWeights()).wDec,
      data.dictionary,
      dIn,
    ).recoveredFraction;
  } finally {
    init.dispose();
  }
  const trainer = await Trainer.create(backend, RECOVERY_SCENARIO.trainer);
  try {
    const summary = await trainer.train(new SyntheticActivations(RECOVERY_SCENARIO.data));
    const r = featureRecovery((await trainer.exportWeights()).wDec, data.dictionary, dIn);
    return {
      steps: summary.steps,
      recoveredFraction: r.recoveredFraction,
      mmcs: r.mmcs,
      finalFvu: summary.last?.fvu ?? Number.NaN,
      initRecoveredFraction,
    };
  } finally {
    trainer.dispose();
  }
}

/** Asserts every bar of RECOVERY_BARS, with the whole result in each failure message. */
export function expectRecovered(result: RecoveryResult): void {
  const all = JSON.stringify(result);
  expect(result.steps, all).toBe(RECOVERY_SCENARIO.trainer.steps);
  expect(result.recoveredFraction, all).toBeGreaterThanOrEqual(RECOVERY_BARS.recoveredFraction);
  expect(result.mmcs, all).toBeGreaterThan(RECOVERY_BARS.mmcs);
  expect(result.finalFvu, all).toBeLessThan(RECOVERY_BARS.finalFvu);
  expect(result.initRecoveredFraction, all).toBeLessThan(RECOVERY_BARS.initRecoveredFraction);
}
