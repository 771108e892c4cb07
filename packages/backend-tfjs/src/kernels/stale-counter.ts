import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectSize } from './checks.js';
import { flatOf } from './views.js';

/** counter = fired > 0 ? 0 : counter + increment (tokens since each latent last fired). */
export function staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
  const K = 'staleCounter';
  const c = unwrap(counter, K, 'counter');
  const f = unwrap(fired, K, 'fired');
  expectSize(K, 'fired', f, c.size);
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
