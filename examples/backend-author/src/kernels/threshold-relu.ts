import type { Tensor } from '@saekit/core';
import { expectOffset, expectSize, f32, matrix } from '../check.js';

/**
 * out = (x > t and x > 0) ? x : 0, where t is threshold[column] (JumpReLU, one per latent,
 * strict as SAELens), or, given `index`, (x ≥ t and x > 0) with the single device scalar
 * threshold[index] (BatchTopK's batch cut, which keeps its own value).
 */
export function thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
  const O = f32('thresholdRelu', 'out', out);
  const X = f32('thresholdRelu', 'x', x);
  const T = f32('thresholdRelu', 'threshold', threshold);
  expectSize('thresholdRelu', 'out', out, x.size);
  const [, cols] = matrix(x);
  if (index === undefined) expectSize('thresholdRelu', 'threshold', threshold, cols);
  else expectOffset('thresholdRelu', threshold, index);
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    const above = index === undefined ? v > T[i % cols] : v >= T[index];
    O[i] = above && v > 0 ? v : 0;
  }
}
