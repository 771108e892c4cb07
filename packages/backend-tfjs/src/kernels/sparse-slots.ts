import * as tf from '@tensorflow/tfjs-core';

/**
 * Empty slots (index < 0) made harmless for tf.gather / tf.scatterND, which have no notion
 * of them: their index is remapped to row 0 (always valid) and their value zeroed, so a
 * gather reads row 0 times 0 and a scatter adds 0 to row 0. `valid` is [B, k] bool.
 * Call inside tf.tidy.
 */
export function sparseSlots(
  indices: tf.Tensor,
  values?: tf.Tensor,
): { safe: tf.Tensor; valid: tf.Tensor; values?: tf.Tensor } {
  const valid = tf.greaterEqual(indices, 0);
  const safe = tf.where(valid, indices, tf.zerosLike(indices));
  return values === undefined
    ? { safe, valid }
    : { safe, valid, values: tf.where(valid, values, tf.zerosLike(values)) };
}

/**
 * Rows per chunk so that a gathered [rows, k, d] block stays near `budget` floats: sparse
 * kernels gather B·k·d values and a whole batch at once can be hundreds of MB.
 */
export function rowsPerChunk(rows: number, k: number, d: number, budget = 1 << 22): number {
  return Math.max(1, Math.min(rows, Math.floor(budget / Math.max(1, k * d))));
}

/**
 * Runs `chunk(r0, n)` over consecutive blocks of token rows (each in its own tidy, so only
 * one block's gathered rows are alive at once) and stacks the results. Call inside tf.tidy.
 */
export function overTokenChunks(
  rows: number,
  k: number,
  d: number,
  chunk: (r0: number, n: number) => tf.Tensor,
): tf.Tensor {
  const step = rowsPerChunk(rows, k, d);
  const parts: tf.Tensor[] = [];
  for (let r0 = 0; r0 < rows; r0 += step) {
    const n = Math.min(step, rows - r0);
    parts.push(tf.tidy(() => chunk(r0, n)));
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
}
