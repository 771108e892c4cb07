import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectMatrix, expectSize } from './checks.js';
import { flatOf, matrixOf } from './views.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating). */
export function columnSums(out: Tensor, x: Tensor, accumulate = false): void {
  const K = 'columnSums';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  const [, cols] = expectMatrix(K, 'x', tx, undefined, undefined);
  expectSize(K, 'out', o, cols);
  o.assign(
    tf.tidy(() => {
      const s = tf.sum(matrixOf(tx), 0);
      return accumulate ? tf.add(flatOf(o), s) : s;
    }),
  );
}
