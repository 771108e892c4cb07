import type { Tensor } from '@saekit/core';
import { f32 } from '../host.js';

/** out[offset] = the n-th largest element of x (1-based), by a full sort of a copy. */
export function kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
  const O = f32(out);
  // A typed array's own sort is numeric and ascending (−0 before +0): no comparator to call.
  const sorted = Float32Array.from(f32(x)).sort();
  O[offset] = sorted[sorted.length - n];
}
