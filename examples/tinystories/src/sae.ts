import {
  type Backend,
  countedSource,
  type Sae,
  type SaeWeights,
  type StepMetrics,
  type TrainConfigInput,
  TrainingRun,
} from '@saekit/core';
import type { SparseCodes } from './contexts.js';

export interface TrainSaeResult {
  readonly weights: SaeWeights;
  readonly steps: number;
  readonly tokens: number;
  /** Metrics of the last step (on its training batch). */
  readonly last: StepMetrics | null;
  /** The trainer's notes on adapted defaults (e.g. a shortened deadTokens). */
  readonly notes: readonly string[];
}

/**
 * Trains a Top-K SAE with @saekit/core's TrainingRun on `batches` and exports its weights with
 * the input scale folded back, so they apply to raw residuals. The run keeps its checkpoint in
 * memory; a RunFolder store (@saekit/io) would make it resumable from disk.
 */
export async function trainSae(
  backend: Backend,
  batches: AsyncIterable<Float32Array>,
  config: TrainConfigInput,
  onStep?: (metrics: StepMetrics) => void,
): Promise<TrainSaeResult> {
  const run = await TrainingRun.create(backend, {
    config,
    source: countedSource(() => batches, config.dIn),
    checkpointEvery: 0,
    ...(onStep ? { onStep } : {}),
  });
  try {
    const summary = await run.run();
    return {
      weights: await run.trainer.exportWeights(),
      steps: summary.steps,
      tokens: summary.tokens,
      last: summary.last,
      notes: run.trainer.notes,
    };
  } finally {
    run.dispose();
  }
}

/** Sparse codes of `rows` rows, encoded `chunk` rows at a time to bound the dense [B, m] work. */
export async function encodeRows(
  sae: Sae,
  activations: Float32Array,
  rows: number,
  chunk = 4096,
): Promise<SparseCodes> {
  const k = sae.width;
  const values = new Float32Array(rows * k);
  const indices = new Int32Array(rows * k);
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const code = await sae.encodeHost(
      activations.subarray(start * sae.dIn, (start + n) * sae.dIn),
      n,
    );
    values.set(code.values, start * k);
    indices.set(code.indices, start * k);
  }
  return { values, indices, k };
}

/** Column means of rows [n, d] (the mean-ablation vector). */
export function meanRow(activations: Float32Array, rows: number, dIn: number): Float32Array {
  const sum = new Float64Array(dIn);
  for (let i = 0; i < rows * dIn; i++) sum[i % dIn] += activations[i];
  return Float32Array.from(sum, (s) => s / rows);
}

/** log10 of each latent's firing rate over `rows` tokens (SAELens `sparsity`; −10 = never). */
export function firingRates(codes: SparseCodes, dSae: number, rows: number): Float32Array {
  const counts = new Float64Array(dSae);
  for (let i = 0; i < codes.indices.length; i++) {
    if (codes.indices[i] >= 0 && codes.values[i] > 0) counts[codes.indices[i]]++;
  }
  return Float32Array.from(counts, (c) => Math.log10(c / rows + 1e-10));
}
