import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectSize } from './checks.js';
import { flatOf } from './views.js';

/** out = x > threshold ? 1 : 0, in out's dtype. */
export function greaterThan(out: Tensor, x: Tensor, threshold: number): void {
  const K = 'greaterThan';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  expectSize(K, 'x', tx, o.size);
  o.assign(tf.tidy(() => tf.cast(tf.greater(flatOf(tx), threshold), o.dtype)));
}
