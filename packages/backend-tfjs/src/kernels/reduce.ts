import type { ReduceOp, Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { elementOf, flatOf, matrixOf, withElement } from './views.js';

/** out[offset] = [out[offset] +] Σ x | Σ x² | Σ_r ‖x[r] − mean_r x[r]‖². */
export function reduce(
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const o = handle(out);
  const tx = handle(x);
  o.assign(
    tf.tidy(() => {
      const xm = tf.cast(matrixOf(tx), 'float32');
      let r: tf.Tensor;
      if (op === 'sum') r = tf.sum(xm);
      else if (op === 'sumSquares') r = tf.sum(tf.square(xm));
      else r = tf.sum(tf.square(tf.sub(xm, tf.mean(xm, 0, true))));
      if (accumulate) r = tf.add(r, elementOf(o, offset));
      return withElement(flatOf(o), offset, r);
    }),
  );
}
