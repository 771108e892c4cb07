import { asMatrix, type Scale, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { handle } from '../handle.js';
import { scaleOperand } from '../scale.js';
import { matrixOf } from './views.js';

/** out = a·x + b·y, with y broadcast as a row over x's rows when it is one row long. */
export function axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
  const o = handle(out);
  const tx = handle(x);
  const ty = handle(y);
  const [, cols] = asMatrix(tx);
  const broadcast = ty.size === cols && ty.size < tx.size;
  o.assign(
    tf.tidy(() => {
      const xm = matrixOf(tx);
      const ym = broadcast ? tf.reshape(ty.value, [1, cols]) : tf.reshape(ty.value, xm.shape);
      return tf.add(tf.mul(xm, scaleOperand(a)), tf.mul(ym, scaleOperand(b)));
    }),
  );
}
