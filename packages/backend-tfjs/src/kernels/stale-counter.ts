import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf } from './views.js';

/** counter = fired > 0 ? 0 : counter + increment (tokens since each latent last fired). */
export function staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
  const c = handle(counter);
  const f = handle(fired);
  c.assign(
    tf.tidy(() => {
      const cv = flatOf(c);
      return tf.where(
        tf.greater(flatOf(f), 0),
        tf.zerosLike(cv),
        tf.add(cv, tf.scalar(increment, c.dtype)),
      );
    }),
  );
}
