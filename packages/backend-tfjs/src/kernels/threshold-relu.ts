import { ShapeError, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectMatrix, expectSize } from './checks.js';
import { elementOf, matrixOf } from './views.js';

/**
 * out = (x ≥ t and x > 0) ? x : 0, t per column (JumpReLU) or the device scalar
 * threshold[index] (BatchTopK), so the threshold is never read back.
 */
export function thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
  const K = 'thresholdRelu';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  const tt = unwrap(threshold, K, 'threshold');
  expectSize(K, 'x', tx, o.size);
  const [, cols] = expectMatrix(K, 'x', tx, undefined, undefined);
  if (index === undefined) expectSize(K, 'threshold', tt, cols);
  else if (!Number.isInteger(index) || index < 0 || index >= tt.size) {
    throw new ShapeError(`${K}: index ${index} outside 'threshold' [${tt.shape}]`);
  }
  o.assign(
    tf.tidy(() => {
      const xm = matrixOf(tx);
      const t = index === undefined ? tf.reshape(tt.value, [1, cols]) : elementOf(tt, index);
      const keep = tf.logicalAnd(tf.greaterEqual(xm, t), tf.greater(xm, 0));
      return tf.where(keep, xm, tf.zerosLike(xm));
    }),
  );
}
