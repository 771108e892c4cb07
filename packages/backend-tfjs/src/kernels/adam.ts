import type { AdamOptions, Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { scaleOperand } from '../scale.js';
import { flatOf } from './views.js';

/** One Adam step (PyTorch semantics) on gradScale · grad; param, m and v updated together. */
export function adam(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  options: AdamOptions,
): void {
  const p = handle(param);
  const g = handle(grad);
  const tm = handle(m);
  const tv = handle(v);
  const { lr, beta1, beta2, eps, step } = options;
  // Bias corrections in double precision on the host: they depend only on the step number.
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const [np, nm, nv] = tf.tidy(() => {
    let gv: tf.Tensor = flatOf(g);
    if (options.gradScale !== undefined) gv = tf.mul(gv, scaleOperand(options.gradScale));
    const m1 = tf.add(tf.mul(flatOf(tm), beta1), tf.mul(gv, 1 - beta1));
    const v1 = tf.add(tf.mul(flatOf(tv), beta2), tf.mul(tf.square(gv), 1 - beta2));
    const denom = tf.add(tf.sqrt(tf.div(v1, bc2)), eps);
    const p1 = tf.sub(flatOf(p), tf.mul(tf.div(tf.div(m1, bc1), denom), lr));
    return [p1, m1, v1];
  });
  p.assign(np);
  tm.assign(nm);
  tv.assign(nv);
}
