import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf, matrixOf } from './views.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating). */
export function columnSums(out: Tensor, x: Tensor, accumulate = false): void {
  const o = handle(out);
  const tx = handle(x);
  const [, cols] = asMatrix(tx);
  o.assign(
    tf.tidy(() => {
      const s = tf.sum(matrixOf(tx), 0);
      return accumulate ? tf.add(flatOf(o), s) : s;
    }),
  );
}
