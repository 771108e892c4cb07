import type { Tensor } from '@saekit/core';
import { expectShape, f32, i32, matrix } from '../check.js';
import { checkRow } from './gather-sum.js';

/** weight[indices[b,j]] += values[b,j] · x[b]; repeated indices simply add twice. */
export function scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
  const W = f32('scatterOuterAdd', 'weight', weight);
  const I = i32('scatterOuterAdd', 'indices', indices);
  const V = f32('scatterOuterAdd', 'values', values);
  const X = f32('scatterOuterAdd', 'x', x);
  const [rows, k] = matrix(indices);
  const [m, d] = matrix(weight);
  expectShape('scatterOuterAdd', 'values', values, rows, k);
  expectShape('scatterOuterAdd', 'x', x, rows, d);
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
