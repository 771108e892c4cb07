import type { Tensor } from '@saekit/core';
import { f32 } from '../host.js';

/** out = eˣ (may be in place: each element is read before it is written) */
export function exp(out: Tensor, x: Tensor): void {
  const O = f32(out);
  const X = f32(x);
  for (let i = 0; i < X.length; i++) O[i] = Math.exp(X[i]);
}
