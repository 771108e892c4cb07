import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { matrixOf } from './views.js';

/** weight[i] /= ‖weight[i]‖ for rows with a non-zero norm; zero rows stay zero. */
export function normalizeRows(weight: Tensor): void {
  const w = handle(weight);
  w.assign(
    tf.tidy(() => {
      const wm = matrixOf(w);
      const norm = tf.sqrt(tf.sum(tf.square(wm), 1, true));
      return tf.div(wm, tf.where(tf.greater(norm, 0), norm, tf.onesLike(norm)));
    }),
  );
}
