import type { Tensor } from '@saekit/core';
import { expectSize, f32 } from '../check.js';

/** out = x > threshold ? 1 : 0 */
export function greaterThan(out: Tensor, x: Tensor, threshold: number): void {
  const O = f32('greaterThan', 'out', out);
  const X = f32('greaterThan', 'x', x);
  expectSize('greaterThan', 'out', out, x.size);
  for (let i = 0; i < X.length; i++) O[i] = X[i] > threshold ? 1 : 0;
}
