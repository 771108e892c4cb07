import { asMatrix, type Scale, ShapeError, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { unwrap } from '../handle.js';
import { scaleOperand } from '../scale.js';
import { expectSize } from './checks.js';
import { matrixOf } from './views.js';

/** out = a·x + b·y, with y broadcast as a row over x's rows when it is one row long. */
export function axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
  const K = 'axpby';
  const o = unwrap(out, K, 'out');
  const tx = unwrap(x, K, 'x');
  const ty = unwrap(y, K, 'y');
  expectSize(K, 'x', tx, o.size);
  const [, cols] = asMatrix(tx);
  const broadcast = ty.size === cols && ty.size < tx.size;
  if (!broadcast && ty.size !== tx.size) {
    throw new ShapeError(
      `${K}: 'y' [${ty.shape}] is neither the shape of 'x' [${tx.shape}] nor one row of it`,
    );
  }
  o.assign(
    tf.tidy(() => {
      const xm = matrixOf(tx);
      const ym = broadcast ? tf.reshape(ty.value, [1, cols]) : tf.reshape(ty.value, xm.shape);
      return tf.add(tf.mul(xm, scaleOperand(a, K)), tf.mul(ym, scaleOperand(b, K)));
    }),
  );
}
