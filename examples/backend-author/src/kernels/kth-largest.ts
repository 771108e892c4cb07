import { ShapeError, type Tensor } from '@saekit/core';
import { expectOffset, f32 } from '../check.js';

/** out[offset] = the n-th largest element of x (1-based), by a full sort of a copy. */
export function kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
  const O = f32('kthLargest', 'out', out);
  expectOffset('kthLargest', out, offset);
  if (!Number.isInteger(n) || n < 1 || n > x.size) {
    throw new ShapeError(`naive.kthLargest: n = ${n} must be in 1..${x.size}`);
  }
  const sorted = Float32Array.from(f32('kthLargest', 'x', x)).sort((a, b) => b - a);
  O[offset] = sorted[n - 1];
}
