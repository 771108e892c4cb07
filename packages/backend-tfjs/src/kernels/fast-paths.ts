import * as tf from '@tensorflow/tfjs-core';

// tfjs backends differ a lot in which op is fast for the same job; these pick per backend,
// from measurements at the medium bench shape (n = 512 tokens, k = 32, d = 256).

function onWasm(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * weight rows for each slot: [n, k, d] from safe indices [n, k]. On wasm, GatherNd copies
 * whole rows and is ~7x faster than GatherV2 (16k rows of 256 floats: 90 ms vs 650 ms);
 * elsewhere GatherV2 is the faster one. Call inside tf.tidy.
 */
export function gatherRows(
  weight: tf.Tensor2D,
  safe: tf.Tensor,
  n: number,
  k: number,
): tf.Tensor3D {
  const rows = onWasm()
    ? tf.gatherND(weight, tf.reshape(safe, [-1, 1]))
    : tf.gather(weight, tf.reshape(safe, [-1]));
  return tf.reshape(rows, [n, k, weight.shape[1]]);
}

/**
 * The outer products values[b, j] · x[b] as [n·k, d] rows. A broadcasting multiply is
 * fastest on wasm (35 ms vs 129 ms for a batched matmul); tfjs's cpu backend broadcasts
 * through per-element index arithmetic, where the batched matmul is ~10x faster (83 ms vs
 * 790 ms). Call inside tf.tidy.
 */
export function outerRows(
  values: tf.Tensor,
  x: tf.Tensor,
  n: number,
  k: number,
  d: number,
): tf.Tensor2D {
  const v = tf.reshape(values, [n, k, 1]);
  const xs = tf.reshape(x, [n, 1, d]);
  return tf.reshape(onWasm() ? tf.mul(v, xs) : tf.matMul(v, xs), [n * k, d]);
}
