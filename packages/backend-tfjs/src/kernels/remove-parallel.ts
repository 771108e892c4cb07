import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { matrixOf } from './views.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i] (weight rows have unit norm). */
export function removeParallel(grad: Tensor, weight: Tensor): void {
  const g = handle(grad);
  const w = handle(weight);
  const [rows, cols] = asMatrix(w);
  g.assign(
    tf.tidy(() => {
      const gm = matrixOf(g);
      const wm = matrixOf(w);
      return tf.sub(gm, tf.mul(tf.sum(tf.mul(gm, wm), 1, true), wm));
    }),
  );
}
