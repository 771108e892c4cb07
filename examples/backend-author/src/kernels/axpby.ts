import type { Scale, Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';
import { scaleValue } from './scale.js';

/**
 * out = a·x + b·y, with y broadcast as a row vector when it is one row of x. Element i of
 * out depends only on element i of x and y, so out may alias either.
 */
export function axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
  const O = f32(out);
  const X = f32(x);
  const Y = f32(y);
  const [, cols] = matrix(x);
  const broadcast = y.size < x.size;
  // Scales are read before any write: one may live in `out` itself.
  const av = scaleValue(a);
  const bv = scaleValue(b);
  for (let i = 0; i < X.length; i++) {
    O[i] = av * X[i] + bv * Y[broadcast ? i % cols : i];
  }
}
