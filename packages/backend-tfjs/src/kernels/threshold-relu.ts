import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { elementOf, matrixOf } from './views.js';

/**
 * out = (x > t and x > 0) ? x : 0 with t per column (JumpReLU, strict as upstream), or
 * (x ≥ t and x > 0) with the device scalar threshold[index] (BatchTopK's batch cut, never
 * read back).
 */
export function thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
  const o = handle(out);
  const tx = handle(x);
  const tt = handle(threshold);
  const [, cols] = asMatrix(tx);
  o.assign(
    tf.tidy(() => {
      const xm = matrixOf(tx);
      const t = index === undefined ? tf.reshape(tt.value, [1, cols]) : elementOf(tt, index);
      const above = index === undefined ? tf.greater(xm, t) : tf.greaterEqual(xm, t);
      const keep = tf.logicalAnd(above, tf.greater(xm, 0));
      return tf.where(keep, xm, tf.zerosLike(xm));
    }),
  );
}
