import { ShapeError, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectMatrix, expectSize } from './checks.js';
import { elementOf, matrixOf } from './views.js';

/**
 * out = (x > t and x > 0) ? x : 0 with t per column (JumpReLU, strict as upstream), or
 * (x ≥ t and x > 0) with the device scalar threshold[index] (BatchTopK's batch cut, never
 * read back).
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
      const above = index === undefined ? tf.greater(xm, t) : tf.greaterEqual(xm, t);
      const keep = tf.logicalAnd(above, tf.greater(xm, 0));
      return tf.where(keep, xm, tf.zerosLike(xm));
    }),
  );
}
