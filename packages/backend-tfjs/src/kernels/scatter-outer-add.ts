import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { outerRows } from './fast-paths.js';
import { rowsPerChunk, sparseSlots } from './sparse-slots.js';
import { matrixOf } from './views.js';

/**
 * weight[indices[b,j]] += values[b,j] · x[b]. tf.scatterND sums duplicate indices, so the
 * B·k outer-product rows land on their latents in one pass per chunk of tokens; the only
 * dense intermediate is the [m, d] update the size of the weight itself.
 */
export function scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
  const tw = handle(weight);
  const ti = handle(indices);
  const tv = handle(values);
  const tx = handle(x);
  const [m, d] = asMatrix(tw);
  const [rows, k] = asMatrix(ti);
  const chunk = rowsPerChunk(rows, k, d);
  const allV = tf.tidy(() => matrixOf(tv));
  const allI = tf.tidy(() => matrixOf(ti));
  const allX = tf.tidy(() => matrixOf(tx));
  try {
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const n = Math.min(chunk, rows - r0);
      // Chunk by chunk into the weight, so at most one [m, d] update is alive at a time.
      tw.assign(
        tf.tidy(() => {
          const slots = sparseSlots(
            tf.slice(allI, [r0, 0], [n, k]),
            tf.slice(allV, [r0, 0], [n, k]),
          );
          const rowsOut = outerRows(slots.values!, tf.slice(allX, [r0, 0], [n, d]), n, k, d);
          const update = tf.scatterND(tf.reshape(slots.safe, [n * k, 1]), rowsOut, [m, d]);
          return tf.add(matrixOf(tw), update);
        }),
      );
    }
  } finally {
    allV.dispose();
    allI.dispose();
    allX.dispose();
  }
}
