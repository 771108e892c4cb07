import {
  createCpuBackend,
  featureRecovery,
  type StepMetrics,
  SyntheticActivations,
  type SyntheticOptions,
  type TrainConfigInput,
  Trainer,
  type TrainingState,
} from '../src/index.js';

/**
 * Trains one SAE on synthetic ground truth and prints its `figures` line (L0, FVU and dead
 * fraction over the last 100 steps; recovery of the true dictionary). Shared by
 * train-architectures-synthetic.test.ts and bench/synthetic-width.ts.
 */
/** The JumpReLU/ReLU test's data: d = 32, 128 true features, ~3 active per token. */
export function recoveryData(seed: number): SyntheticOptions {
  return {
    dIn: 32,
    nFeatures: 128,
    activePerToken: 3,
    frequencyExponent: 0.3,
    correlatedPairs: 0,
    batchSize: 256,
    seed,
  };
}

/**
 * JumpReLU aiming at L0 = 3 on that data. θ climbs slowly (log-space steps of about lr each),
 * so it gets 2000 steps.
 */
export const jumpreluTargetL0Three = {
  steps: 2000,
  architecture: 'jumprelu',
  targetL0: 3,
  l0Coefficient: 30,
  jumpreluBandwidth: 0.3,
  jumpreluInitThreshold: 0.5,
} as const satisfies Partial<TrainConfigInput>;

/** Per-token count of active true features over the next `rows` tokens, with its mean and variance. */
export function activeCounts(data: SyntheticOptions, rows: number) {
  const source = new SyntheticActivations(data);
  const { coefficients } = source.sample(rows);
  const n = source.nFeatures;
  const counts = Float64Array.from({ length: rows }, (_, r) =>
    coefficients.subarray(r * n, (r + 1) * n).reduce((a, v) => a + (v > 0 ? 1 : 0), 0),
  );
  const mean = counts.reduce((a, v) => a + v, 0) / rows;
  const variance = counts.reduce((a, v) => a + (v - mean) ** 2, 0) / rows;
  return { counts, mean, variance };
}

export interface Outcome {
  readonly name: string;
  /** Mean over the last 100 steps. */
  readonly l0: number;
  readonly fvu: number;
  readonly recovered: number;
  readonly mmcs: number;
  /** Fraction of dead latents, mean over the last 100 steps. */
  readonly dead: number;
  readonly weights: Awaited<ReturnType<Trainer['exportWeights']>>;
  /** The training stream, to draw unseen tokens from after training. */
  readonly source: SyntheticActivations;
  /** The trainer's state at the end (scaled units), to start another run from. */
  readonly state: TrainingState;
}

export async function train(
  name: string,
  data: SyntheticOptions,
  config: TrainConfigInput,
  state?: TrainingState,
): Promise<Outcome> {
  const source = new SyntheticActivations(data);
  const t = await Trainer.create(createCpuBackend(), config, state ? { state } : {});
  const tail: StepMetrics[] = [];
  await t.train(source, {
    onStep: (m) => {
      tail.push(m);
      if (tail.length > 100) tail.shift();
    },
  });
  const weights = await t.exportWeights();
  const end = await t.saveState();
  t.dispose();
  const r = featureRecovery(weights.wDec, source.dictionary, data.dIn);
  const mean = (f: (m: StepMetrics) => number) => tail.reduce((a, m) => a + f(m), 0) / tail.length;
  const out = {
    name,
    l0: mean((m) => m.l0),
    fvu: mean((m) => m.fvu),
    recovered: r.recoveredFraction,
    mmcs: r.mmcs,
    dead: mean((m) => m.deadFraction),
    weights,
    source,
    state: end,
  };
  const { weights: _, source: __, state: ___, ...figures } = out;
  process.stdout.write(`figures ${JSON.stringify(figures)}\n`);
  return out;
}
