import type { Tensor } from '@saekit/core';
import { f32, i32, matrix } from '../host.js';

/** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]; empty slots (index < 0) add nothing. */
export function gatherSum(
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const O = f32(out);
  const V = f32(values);
  const I = i32(indices);
  const W = f32(weight);
  const [rows, k] = matrix(values);
  const [m, d] = matrix(weight);
  const B = bias === undefined ? undefined : f32(bias);
  const acc = new Float64Array(d);
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < d; c++) acc[c] = B ? B[c] : 0;
    for (let j = 0; j < k; j++) {
      const i = I[b * k + j];
      if (i < 0) continue;
      checkRow('gatherSum', i, m);
      const v = V[b * k + j];
      for (let c = 0; c < d; c++) acc[c] += v * W[i * d + c];
    }
    for (let c = 0; c < d; c++) O[b * d + c] = acc[c];
  }
}

export function checkRow(kernel: string, index: number, rows: number): void {
  if (index >= rows) {
    throw new RangeError(`naive.${kernel}: index ${index} is past the ${rows} rows of 'weight'`);
  }
}
