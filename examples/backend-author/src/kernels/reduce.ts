import type { ReduceOp, Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/** out[offset] (+)= Σ x, Σ x² or Σ_r ‖x[r] − mean_r x‖², accumulated in float64. */
export function reduce(
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const O = f32(out);
  const X = f32(x);
  let total = 0;
  if (op === 'sum') {
    for (let i = 0; i < X.length; i++) total += X[i];
  } else if (op === 'sumSquares') {
    for (let i = 0; i < X.length; i++) total += X[i] * X[i];
  } else {
    // Two passes (mean, then squared deviations): cancellation-free, unlike Σx² − n·mean².
    const [rows, cols] = matrix(x);
    for (let c = 0; c < cols; c++) {
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += X[r * cols + c];
      mean /= rows;
      for (let r = 0; r < rows; r++) total += (X[r * cols + c] - mean) ** 2;
    }
  }
  O[offset] = accumulate ? O[offset] + total : total;
}
