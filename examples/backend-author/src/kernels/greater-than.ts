import type { Tensor } from '@saekit/core';
import { f32 } from '../host.js';

/** out = x > threshold ? 1 : 0 */
export function greaterThan(out: Tensor, x: Tensor, threshold: number): void {
  const O = f32(out);
  const X = f32(x);
  for (let i = 0; i < X.length; i++) O[i] = X[i] > threshold ? 1 : 0;
}
