import type { Scale } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from './handle.js';

/**
 * A Scale as a tfjs operand: host numbers stay numbers; a DeviceScale becomes a scalar
 * computed on the device, so a step never reads back to learn its own factors. Call inside
 * tf.tidy.
 */
export function scaleOperand(scale: Scale): number | tf.Scalar {
  if (typeof scale === 'number') return scale;
  const src = handle(scale.source);
  const raw: tf.Scalar = tf.reshape(tf.slice(tf.reshape(src.value, [-1]), [scale.index], [1]), []);
  const den = scale.sqrt ? tf.sqrt(raw) : raw;
  let v: tf.Scalar = tf.div(scale.numerator, den);
  if (scale.max !== undefined) v = tf.minimum(v, scale.max);
  // !(raw > 0) covers 0, negatives and NaN, as the host `resolveScale` does.
  return tf.where(tf.greater(raw, 0), v, tf.zerosLike(v));
}
