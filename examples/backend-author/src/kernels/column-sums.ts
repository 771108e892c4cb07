import type { Tensor } from '@saekit/core';
import { expectSize, f32, matrix } from '../check.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating). */
export function columnSums(out: Tensor, x: Tensor, accumulate = false): void {
  const O = f32('columnSums', 'out', out);
  const X = f32('columnSums', 'x', x);
  const [rows, cols] = matrix(x);
  expectSize('columnSums', 'out', out, cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += X[r * cols + c];
    O[c] = accumulate ? O[c] + sum : sum;
  }
}
