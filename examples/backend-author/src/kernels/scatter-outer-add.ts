import type { Tensor } from '@saekit/core';
import { f32, i32, matrix } from '../host.js';
import { checkRow } from './gather-sum.js';

/** weight[indices[b,j]] += values[b,j] · x[b]; repeated indices simply add twice. */
export function scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
  const W = f32(weight);
  const I = i32(indices);
  const V = f32(values);
  const X = f32(x);
  const [rows, k] = matrix(indices);
  const [m, d] = matrix(weight);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < k; j++) {
      const i = I[b * k + j];
      if (i < 0) continue;
      checkRow('scatterOuterAdd', i, m);
      const v = V[b * k + j];
      for (let c = 0; c < d; c++) W[i * d + c] += v * X[b * d + c];
    }
  }
}
