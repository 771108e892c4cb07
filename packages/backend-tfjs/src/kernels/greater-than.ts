import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf } from './views.js';

/** out = x > threshold ? 1 : 0, in out's dtype. */
export function greaterThan(out: Tensor, x: Tensor, threshold: number): void {
  const o = handle(out);
  const tx = handle(x);
  o.assign(tf.tidy(() => tf.cast(tf.greater(flatOf(tx), threshold), o.dtype)));
}
