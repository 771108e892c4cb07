import type { Tensor } from '@saekit/core';
import { expectShape, f32, matrix } from '../check.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i] (weight rows are unit vectors). */
export function removeParallel(grad: Tensor, weight: Tensor): void {
  const G = f32('removeParallel', 'grad', grad);
  const W = f32('removeParallel', 'weight', weight);
  const [rows, d] = matrix(weight);
  expectShape('removeParallel', 'grad', grad, rows, d);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += G[r * d + c] * W[r * d + c];
    for (let c = 0; c < d; c++) G[r * d + c] -= dot * W[r * d + c];
  }
}
