import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf } from './views.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward). */
export function maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
  const o = handle(out);
  const g = handle(grad);
  const r = handle(ref);
  o.assign(
    tf.tidy(() => {
      const gv = flatOf(g);
      return tf.where(tf.greater(flatOf(r), 0), gv, tf.zerosLike(gv));
    }),
  );
}
