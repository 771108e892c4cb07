import { expect } from 'vitest';
import { SyntheticActivations } from '../../synthetic/synthetic.js';
import type { TrainConfigInput } from '../../train/config.js';
import { Trainer } from '../../train/trainer.js';
import type { CaseContext, ConformanceGroup } from '../case.js';
import { referenceParamsAfter, referenceStep } from '../update-reference.js';

/**
 * The trainer on the backend under test, step by step, against the float64 reference of a
 * whole update step (update-reference.ts). Each step starts the reference from the device's
 * own state before it (`saveState()`), so errors cannot accumulate and the bounds stay tight:
 *
 * - metrics (FVU, AuxK, L0, gradNorm, θ): relative 1e-4; dead fraction exactly;
 * - Adam moments m and v (linear in the clipped gradient): ‖got − ref‖ ≤ 1e-4·‖ref‖;
 * - parameters, from the device's moments: elementwise, 32 float32 ulps of |p| + lr;
 * - dead-latent counters, firing counts: exactly.
 *
 * A wrong projection, clipping factor, bias correction, renormalisation or θ update moves
 * these by percents; float32 rounding moves them by about 1e-6.
 */
interface Scenario {
  readonly name: string;
  readonly config: TrainConfigInput;
  /** 'binding': clipping must scale the gradients at some step; 'idle': it must not. */
  readonly clip?: 'binding' | 'idle';
  /** False when the scenario turns AuxK off (then its loss must read 0 at every step). */
  readonly auxk?: boolean;
}

const STEPS = 6;
const METRIC_RTOL = 1e-4;
const MOMENT_RTOL = 1e-4;

const COMMON = {
  dIn: 24,
  dSae: 96,
  lr: 5e-3,
  // A warmup so the lr changes from step to step.
  warmupSteps: 3,
  seed: 5,
  initTokens: 256,
  // Latents die after two steps, so AuxK and its gradients run in the later ones.
  deadTokens: 100,
  kAux: 16,
} as const;

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'topk, k = 4, B = 50, clipping at 0.05 (binding)',
    config: { ...COMMON, k: 4, batchSize: 50, clipGradNorm: 0.05 },
    clip: 'binding',
  },
  {
    name: 'topk, k = 3, B = 37, clipping at 100 (idle), no input scaling',
    config: { ...COMMON, k: 3, batchSize: 37, clipGradNorm: 100, normalizeActivations: false },
    clip: 'idle',
  },
  {
    name: 'topk, k = 4, B = 50, AuxK off (α = 0) with dead latents',
    config: { ...COMMON, k: 4, batchSize: 50, auxkAlpha: 0 },
    auxk: false,
  },
  {
    name: 'batchtopk, k = 3, B = 64, θ momentum 0.9',
    config: {
      ...COMMON,
      k: 3,
      batchSize: 64,
      architecture: 'batchtopk',
      thresholdMomentum: 0.9,
    },
  },
];

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

function normDiff(got: ArrayLike<number>, want: ArrayLike<number>): { err: number; norm: number } {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    err += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
  }
  return { err: Math.sqrt(err), norm: Math.sqrt(norm) };
}

async function compare(ctx: CaseContext, scenario: Scenario): Promise<void> {
  const c = scenario.config;
  const data = new SyntheticActivations({
    dIn: c.dIn,
    nFeatures: 64,
    batchSize: c.batchSize!,
    noise: 0.01,
    seed: 9,
  });
  const trainer = await Trainer.create(ctx.backend, c, { initData: data.batch(256) });
  const config = trainer.config;
  let sawAux = false;
  let sawDead = false;
  let sawClip = false;
  try {
    let before = (await trainer.saveState()).arrays;
    for (let step = 1; step <= STEPS; step++) {
      const batch = data.batch();
      const got = await trainer.step(batch);
      const after = (await trainer.saveState()).arrays;
      const ref = referenceStep(config, before, batch, step, trainer.inputScale);
      const at = `${scenario.name}, step ${step}`;
      sawAux ||= ref.metrics.auxk > 0;
      sawDead ||= ref.metrics.deadFraction > 0;
      sawClip ||= ref.clipScale < 1;

      for (const key of ['fvu', 'auxk', 'l0', 'gradNorm'] as const) {
        expect(
          rel(got[key], ref.metrics[key]),
          `${at}: ${key} ${got[key]}, reference ${ref.metrics[key]}`,
        ).toBeLessThanOrEqual(METRIC_RTOL);
      }
      expect(got.deadFraction, `${at}: dead fraction`).toBe(ref.metrics.deadFraction);
      if (ref.metrics.threshold !== undefined) {
        expect(
          rel(got.threshold!, ref.metrics.threshold),
          `${at}: θ ${got.threshold}, reference ${ref.metrics.threshold}`,
        ).toBeLessThanOrEqual(METRIC_RTOL);
      }
      for (const name of Object.keys(ref.arrays)) {
        if (name.startsWith('adam_')) {
          const { err, norm } = normDiff(after[name], ref.arrays[name]);
          expect(
            err,
            `${at}: ${name}: ‖got − ref‖ = ${err.toExponential(3)}, ‖ref‖ = ${norm.toExponential(3)}`,
          ).toBeLessThanOrEqual(MOMENT_RTOL * norm + 1e-12);
        } else if (name === 'threshold') {
          expect(rel(after[name][0], ref.arrays[name][0]), `${at}: θ`).toBeLessThanOrEqual(
            METRIC_RTOL,
          );
        } else {
          ctx.expectExactHost(`${at}: ${name}`, after[name], ref.arrays[name]);
        }
      }
      const params = referenceParamsAfter(config, before, after, step, ref.lr);
      for (const [name, want] of Object.entries(params)) {
        const magnitude = Float64Array.from(want, (v) => Math.abs(v) + ref.lr);
        ctx.expectCloseTo(`${at}: ${name}`, after[name], want, { terms: config.dIn, magnitude });
      }
      before = after;
    }
  } finally {
    trainer.dispose();
  }
  expect(sawDead, `${scenario.name}: some latents die`).toBe(true);
  expect(sawAux, `${scenario.name}: AuxK is exercised`).toBe(scenario.auxk !== false);
  if (scenario.clip !== undefined) {
    expect(sawClip, `${scenario.name}: clipping ${scenario.clip}`).toBe(
      scenario.clip === 'binding',
    );
  }
}

export const updateStepCases: ConformanceGroup = {
  name: 'update step: trainer steps against the float64 reference',
  cases: SCENARIOS.map((scenario) => ({
    name: scenario.name,
    run: (ctx: CaseContext) => compare(ctx, scenario),
  })),
};
