import type { Rng } from '@saekit/core';
import type { ActivationTable } from './activations.js';

/**
 * Shuffled batches [batchSize, dIn] drawn from in-memory activations: each epoch visits
 * every row once in a fresh seeded order; a last partial batch is dropped.
 */
export async function* shuffledBatches(
  table: ActivationTable,
  batchSize: number,
  rng: Rng,
  epochs = Number.POSITIVE_INFINITY,
): AsyncGenerator<Float32Array> {
  const { dIn, rows } = table;
  if (rows < batchSize) {
    throw new RangeError(`${rows} activation rows cannot fill one batch of ${batchSize}`);
  }
  const order = new Int32Array(rows);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < rows; i++) order[i] = i;
    rng.shuffle(order);
    for (let start = 0; start + batchSize <= rows; start += batchSize) {
      const batch = new Float32Array(batchSize * dIn);
      for (let b = 0; b < batchSize; b++) {
        const r = order[start + b];
        batch.set(table.activations.subarray(r * dIn, (r + 1) * dIn), b * dIn);
      }
      yield batch;
    }
  }
}
