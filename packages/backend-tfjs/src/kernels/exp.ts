import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf } from './views.js';

/** out = eˣ; out may alias x (assign replaces out's value after tf.exp has read x). */
export function exp(out: Tensor, x: Tensor): void {
  const o = handle(out);
  const tx = handle(x);
  o.assign(tf.tidy(() => tf.exp(flatOf(tx))));
}
