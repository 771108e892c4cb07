import { type Scale, ShapeError, type Tensor } from '@saekit/core';
import { expectSize, f32, matrix } from '../check.js';
import { scaleValue } from './scale.js';

/**
 * out = a·x + b·y, with y broadcast as a row vector when it is one row of x. Element i of
 * out depends only on element i of x and y, so out may alias either.
 */
export function axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
  const O = f32('axpby', 'out', out);
  const X = f32('axpby', 'x', x);
  const Y = f32('axpby', 'y', y);
  expectSize('axpby', 'out', out, x.size);
  const [, cols] = matrix(x);
  const broadcast = y.size < x.size;
  if (broadcast && y.size !== cols) {
    throw new ShapeError(
      `naive.axpby: 'y' has ${y.size} elements; expected ${x.size} or one row of ${cols}`,
    );
  }
  if (!broadcast) expectSize('axpby', 'y', y, x.size);
  // Scales are read before any write: one may live in `out` itself.
  const av = scaleValue('axpby', a);
  const bv = scaleValue('axpby', b);
  for (let i = 0; i < X.length; i++) {
    O[i] = av * X[i] + bv * Y[broadcast ? i % cols : i];
  }
}
