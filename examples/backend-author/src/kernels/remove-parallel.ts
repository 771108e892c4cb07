import type { Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i] (weight rows are unit vectors). */
export function removeParallel(grad: Tensor, weight: Tensor): void {
  const G = f32(grad);
  const W = f32(weight);
  const [rows, d] = matrix(weight);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += G[r * d + c] * W[r * d + c];
    for (let c = 0; c < d; c++) G[r * d + c] -= dot * W[r * d + c];
  }
}
