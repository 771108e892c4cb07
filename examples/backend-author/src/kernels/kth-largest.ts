import type { Tensor } from '@saekit/core';
import { f32 } from '../host.js';

/** out[offset] = the n-th largest element of x (1-based), by a full sort of a copy. */
export function kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
  const O = f32(out);
  const sorted = Float32Array.from(f32(x)).sort((a, b) => b - a);
  O[offset] = sorted[n - 1];
}
