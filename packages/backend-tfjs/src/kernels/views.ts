import { asMatrix } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsTensor } from '../handle.js';

/** The tensor read as a matrix (a 1-D [n] is the row vector [1, n]). Call inside tf.tidy. */
export function matrixOf(t: TfjsTensor): tf.Tensor2D {
  return tf.reshape(t.value, asMatrix(t));
}

export function flatOf(t: TfjsTensor): tf.Tensor1D {
  return tf.reshape(t.value, [-1]);
}

/** `flat` with element `offset` replaced by the scalar `v` (same dtype). Call inside tf.tidy. */
export function withElement(flat: tf.Tensor1D, offset: number, v: tf.Tensor): tf.Tensor1D {
  const n = flat.shape[0];
  const parts: tf.Tensor1D[] = [];
  if (offset > 0) parts.push(tf.slice(flat, [0], [offset]));
  parts.push(tf.reshape(v, [1]));
  if (offset + 1 < n) parts.push(tf.slice(flat, [offset + 1], [n - offset - 1]));
  return parts.length === 1 ? parts[0] : tf.concat(parts);
}

/** The scalar at `offset` of a tensor. Call inside tf.tidy. */
export function elementOf(t: TfjsTensor, offset: number): tf.Scalar {
  return tf.reshape(tf.slice(flatOf(t), [offset], [1]), []);
}
