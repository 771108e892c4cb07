import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf, withElement } from './views.js';

/** out[offset] = the n-th largest element of x (1-based), found on the device. */
export function kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
  const o = handle(out);
  const tx = handle(x);
  o.assign(
    tf.tidy(() => {
      const top = tf.cast(tf.topk(flatOf(tx), n, true).values, 'float32');
      return withElement(flatOf(o), offset, tf.slice(top, [n - 1], [1]));
    }),
  );
}
