import type { Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { expectDtype, expectMatrix, expectSize } from './checks.js';
import { flatOf, matrixOf } from './views.js';

/**
 * Per row, the k largest scores in descending order; ties go to the lower index, which is
 * what tf.topk does on the cpu and wasm backends (TensorFlow's kernel orders equal values by
 * index). Masked columns are set to −∞ so every candidate outranks them; the slots past the
 * number of candidates are then overwritten with index −1 and value 0 by position, not by
 * value, so a candidate whose own score is −∞ still counts.
 */
export function topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
  const K = 'topk';
  const tv = unwrap(values, K, 'values');
  const ti = unwrap(indices, K, 'indices');
  const ts = unwrap(scores, K, 'scores');
  expectDtype(K, 'values', tv, 'float32');
  expectDtype(K, 'indices', ti, 'int32');
  const [rows, m] = expectMatrix(K, 'scores', ts, undefined, undefined);
  const [, k] = expectMatrix(K, 'values', tv, rows, undefined);
  expectMatrix(K, 'indices', ti, rows, k);
  const tm = mask === undefined ? undefined : unwrap(mask, K, 'mask');
  if (tm) expectSize(K, 'mask', tm, m);
  const kk = Math.min(k, m);
  const [v, i] = tf.tidy(() => {
    let s = matrixOf(ts);
    let open: tf.Tensor | undefined;
    if (tm) {
      const allowed = tf.notEqual(flatOf(tm), 0);
      s = tf.where(tf.reshape(allowed, [1, m]), s, tf.fill([1, m], Number.NEGATIVE_INFINITY));
      const candidates = tf.sum(tf.cast(allowed, 'int32'));
      open = tf.reshape(tf.less(tf.range(0, kk, 1, 'int32'), candidates), [1, kk]);
    }
    const r = tf.topk(s, kk, true);
    let vals: tf.Tensor = r.values;
    let idx: tf.Tensor = r.indices;
    if (open) {
      vals = tf.where(open, vals, tf.zerosLike(vals));
      idx = tf.where(open, idx, tf.fill(idx.shape, -1, 'int32'));
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
