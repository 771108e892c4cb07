import { ShapeError, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectDtype, expectOffset } from './checks.js';
import { flatOf, withElement } from './views.js';

/** out[offset] = the n-th largest element of x (1-based), found on the device. */
export function kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
  const K = 'kthLargest';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  expectDtype(K, 'out', o, 'float32');
  expectOffset(K, o, offset);
  if (!Number.isInteger(n) || n < 1 || n > tx.size) {
    throw new ShapeError(`${K}: n = ${n} must be an integer in [1, ${tx.size}] (size of 'x')`);
  }
  o.assign(
    tf.tidy(() => {
      const top = tf.cast(tf.topk(flatOf(tx), n, true).values, 'float32');
      return withElement(flatOf(o), offset, tf.slice(top, [n - 1], [1]));
    }),
  );
}
