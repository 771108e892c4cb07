import type { Tensor } from '@saekit/core';
import { expectShape, expectSize, f32, i32, matrix } from '../check.js';

/** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]; empty slots (index < 0) add nothing. */
export function gatherSum(
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const O = f32('gatherSum', 'out', out);
  const V = f32('gatherSum', 'values', values);
  const I = i32('gatherSum', 'indices', indices);
  const W = f32('gatherSum', 'weight', weight);
  const [rows, k] = matrix(values);
  const [m, d] = matrix(weight);
  expectShape('gatherSum', 'indices', indices, rows, k);
  expectShape('gatherSum', 'out', out, rows, d);
  const B = bias === undefined ? undefined : f32('gatherSum', 'bias', bias);
  if (bias !== undefined) expectSize('gatherSum', 'bias', bias, d);
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
