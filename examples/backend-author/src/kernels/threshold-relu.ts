import type { Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/**
 * out = (x > t and x > 0) ? x : 0, where t is threshold[column] (JumpReLU, one per latent,
 * strict as SAELens), or, given `index`, (x ≥ t and x > 0) with the single device scalar
 * threshold[index] (BatchTopK's batch cut, which keeps its own value).
 */
export function thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
  const O = f32(out);
  const X = f32(x);
  const T = f32(threshold);
  const [, cols] = matrix(x);
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    const above = index === undefined ? v > T[i % cols] : v >= T[index];
    O[i] = above && v > 0 ? v : 0;
  }
}
