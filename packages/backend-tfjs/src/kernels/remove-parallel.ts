import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectMatrix } from './checks.js';
import { matrixOf } from './views.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i] (weight rows have unit norm). */
export function removeParallel(grad: Tensor, weight: Tensor): void {
  const K = 'removeParallel';
  const g = unwrap(grad, K, 'grad');
  const w = unwrap(weight, K, 'weight');
  const [rows, cols] = expectMatrix(K, 'weight', w, undefined, undefined);
  expectMatrix(K, 'grad', g, rows, cols);
  g.assign(
    tf.tidy(() => {
      const gm = matrixOf(g);
      const wm = matrixOf(w);
      return tf.sub(gm, tf.mul(tf.sum(tf.mul(gm, wm), 1, true), wm));
    }),
  );
}
