import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectDtype, expectMatrix } from './checks.js';
import { gatherRows } from './fast-paths.js';
import { sparseCodeShape, weightShape } from './sparse-shapes.js';
import { overTokenChunks, sparseSlots } from './sparse-slots.js';
import { matrixOf } from './views.js';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩, 0 for empty slots; B·k·d work, in token chunks. */
export function gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
  const K = 'gatherDot';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  const ti = unwrap(indices, K, 'indices');
  const tw = unwrap(weight, K, 'weight');
  const [, d] = weightShape(K, tw);
  const [rows, k] = sparseCodeShape(K, ti, undefined);
  expectDtype(K, 'out', o, 'float32');
  expectMatrix(K, 'out', o, rows, k);
  expectMatrix(K, 'x', tx, rows, d);
  o.assign(
    tf.tidy(() => {
      const w = matrixOf(tw);
      const allX = matrixOf(tx);
      const allI = matrixOf(ti);
      return overTokenChunks(rows, k, d, (r0, n) => {
        const slots = sparseSlots(tf.slice(allI, [r0, 0], [n, k]));
        const xs = tf.reshape(tf.slice(allX, [r0, 0], [n, d]), [n, d, 1]);
        const dots = tf.reshape(tf.matMul(gatherRows(w, slots.safe, n, k), xs), [n, k]);
        return tf.where(slots.valid, dots, tf.zerosLike(dots));
      });
    }),
  );
}
