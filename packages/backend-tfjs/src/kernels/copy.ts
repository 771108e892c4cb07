import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';

export function copy(out: Tensor, src: Tensor): void {
  const o = handle(out);
  const s = handle(src);
  if (o === s) return;
  o.assign(tf.tidy(() => tf.clone(tf.reshape(s.value, [...o.shape]))));
}
