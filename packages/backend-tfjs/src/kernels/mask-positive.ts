import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectSize } from './checks.js';
import { flatOf } from './views.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward). */
export function maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
  const K = 'maskPositive';
  const o = unwrap(out, K, 'out');
  const g = unwrap(grad, K, 'grad');
  const r = unwrap(ref, K, 'ref');
  expectSize(K, 'grad', g, o.size);
  expectSize(K, 'ref', r, o.size);
  o.assign(
    tf.tidy(() => {
      const gv = flatOf(g);
      return tf.where(tf.greater(flatOf(r), 0), gv, tf.zerosLike(gv));
    }),
  );
}
