import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { gatherRows } from './fast-paths.js';
import { overTokenChunks, sparseSlots } from './sparse-slots.js';
import { matrixOf } from './views.js';

/**
 * The sparse decode: out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]. Gathers the k
 * rows each token uses (B·k·d work, never a dense [B, m] code), in chunks of tokens.
 */
export function gatherSum(
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const o = handle(out);
  const tv = handle(values);
  const ti = handle(indices);
  const tw = handle(weight);
  const [, d] = asMatrix(tw);
  const [rows, k] = asMatrix(ti);
  const tb = bias === undefined ? undefined : handle(bias);
  o.assign(
    tf.tidy(() => {
      const w = matrixOf(tw);
      const allV = matrixOf(tv);
      const allI = matrixOf(ti);
      const y = overTokenChunks(rows, k, d, (r0, n) => {
        const slots = sparseSlots(tf.slice(allI, [r0, 0], [n, k]), tf.slice(allV, [r0, 0], [n, k]));
        // [n, 1, k] · [n, k, d]: one small matrix product per token.
        const v = tf.reshape(slots.values!, [n, 1, k]);
        return tf.reshape(tf.matMul(v, gatherRows(w, slots.safe, n, k)), [n, d]);
      });
      return tb ? tf.add(y, tf.reshape(tb.value, [1, d])) : y;
    }),
  );
}
