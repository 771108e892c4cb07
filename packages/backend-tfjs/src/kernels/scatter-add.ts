import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { sparseSlots } from './sparse-slots.js';
import { flatOf } from './views.js';

/** out[indices[i]] += values[i] over all slots, out 1-D; duplicates accumulate, −1 skipped. */
export function scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
  const o = handle(out);
  const ti = handle(indices);
  const tv = handle(values);
  const n = ti.size;
  o.assign(
    tf.tidy(() => {
      const slots = sparseSlots(flatOf(ti), tf.cast(flatOf(tv), o.dtype));
      const update = tf.scatterND(tf.reshape(slots.safe, [n, 1]), slots.values!, [o.size]);
      return tf.add(flatOf(o), update);
    }),
  );
}
