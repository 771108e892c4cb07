import type { ReduceOp, Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectDtype, expectOffset } from './checks.js';
import { elementOf, flatOf, matrixOf, withElement } from './views.js';

/** out[offset] = [out[offset] +] Σ x | Σ x² | Σ_r ‖x[r] − mean_r x[r]‖². */
export function reduce(
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const K = 'reduce';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  expectDtype(K, 'out', o, 'float32');
  expectOffset(K, o, offset);
  o.assign(
    tf.tidy(() => {
      const xm = tf.cast(matrixOf(tx), 'float32');
      let r: tf.Tensor;
      if (op === 'sum') r = tf.sum(xm);
      else if (op === 'sumSquares') r = tf.sum(tf.square(xm));
      else if (op === 'sumSquaresCentered') r = tf.sum(tf.square(tf.sub(xm, tf.mean(xm, 0, true))));
      else throw new RangeError(`${K}: unknown op '${String(op)}'`);
      if (accumulate) r = tf.add(r, elementOf(o, offset));
      return withElement(flatOf(o), offset, r);
    }),
  );
}
