import { asMatrix, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { flatOf, matrixOf } from './views.js';

/**
 * Per row, the k largest scores in descending order; ties go to the lower index, which is
 * what tf.topk does on the cpu and wasm backends (TensorFlow's kernel orders equal values by
 * index). Masked columns are set to −∞ so every candidate outranks them; the slots past the
 * number of candidates are then set to index −1 and value 0 by position, not by value.
 */
export function topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
  const tv = handle(values);
  const ti = handle(indices);
  const ts = handle(scores);
  const [rows, m] = asMatrix(ts);
  const [, k] = asMatrix(tv);
  const tm = mask === undefined ? undefined : handle(mask);
  const kk = Math.min(k, m);
  const [v, i] = tf.tidy(() => {
    let s = matrixOf(ts);
    let vals: tf.Tensor;
    let idx: tf.Tensor;
    if (tm) {
      // Only row-broadcast Add and same-shape Select here: on wasm a broadcasting where /
      // minimum / maximum takes a slow generic path (~40 ms on [256, 256] against ~1 ms).
      // Masked columns get −∞ added; allowed ones get −0, since x + (−0) = x bit for bit.
      const allowed = tf.notEqual(flatOf(tm), 0);
      const penalty = tf.where(allowed, tf.fill([m], -0), tf.fill([m], Number.NEGATIVE_INFINITY));
      s = tf.add(s, tf.reshape(penalty, [1, m]));
      const candidates = tf.sum(tf.cast(allowed, 'int32'));
      const slot = tf.add(
        tf.zeros([rows, kk], 'int32'),
        tf.reshape(tf.range(0, kk, 1, 'int32'), [1, kk]),
      );
      const open = tf.less(slot, candidates);
      const r = tf.topk(s, kk, true);
      vals = tf.where(open, r.values, tf.zerosLike(r.values));
      idx = tf.where(open, r.indices, tf.fill([rows, kk], -1, 'int32'));
    } else {
      const r = tf.topk(s, kk, true);
      vals = r.values;
      idx = r.indices;
    }
    if (kk < k) {
      vals = tf.concat([vals, tf.zeros([rows, k - kk])], 1);
      idx = tf.concat([idx, tf.fill([rows, k - kk], -1, 'int32')], 1);
    }
    return [vals, idx];
  });
  tv.assign(v);
  ti.assign(i);
}
