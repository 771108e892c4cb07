import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { gatherRows } from './fast-paths.js';
import { overTokenChunks, sparseSlots } from './sparse-slots.js';
import { matrixOf } from './views.js';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩, 0 for empty slots; B·k·d work, in token chunks. */
export function gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
  const o = handle(out);
  const tx = handle(x);
  const ti = handle(indices);
  const tw = handle(weight);
  const [, d] = asMatrix(tw);
  const [rows, k] = asMatrix(ti);
  o.assign(
    tf.tidy(() => {
      const w = matrixOf(tw);
      const allX = matrixOf(tx);
      const allI = matrixOf(ti);
      return overTokenChunks(rows, k, d, (r0, n) => {
        const slots = sparseSlots(tf.slice(allI, [r0, 0], [n, k]));
        const xs = tf.reshape(tf.slice(allX, [r0, 0], [n, d]), [n, d, 1]);
        const dots = tf.reshape(tf.matMul(gatherRows(w, slots.safe, n, k), xs), [n, k]);
        return tf.where(slots.valid, dots, tf.zerosLike(dots));
      });
    }),
  );
}
