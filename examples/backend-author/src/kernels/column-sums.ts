import type { Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating). */
export function columnSums(out: Tensor, x: Tensor, accumulate = false): void {
  const O = f32(out);
  const X = f32(x);
  const [rows, cols] = matrix(x);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += X[r * cols + c];
    O[c] = accumulate ? O[c] + sum : sum;
  }
}
