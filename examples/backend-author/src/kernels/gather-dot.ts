import type { Tensor } from '@saekit/core';
import { f32, i32, matrix } from '../host.js';
import { checkRow } from './gather-sum.js';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩, 0 for an empty slot. */
export function gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
  const O = f32(out);
  const X = f32(x);
  const I = i32(indices);
  const W = f32(weight);
  const [rows, k] = matrix(indices);
  const [m, d] = matrix(weight);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < k; j++) {
      const i = I[b * k + j];
      let dot = 0;
      if (i >= 0) {
        checkRow('gatherDot', i, m);
        for (let c = 0; c < d; c++) dot += X[b * d + c] * W[i * d + c];
      }
      O[b * k + j] = dot;
    }
  }
}
