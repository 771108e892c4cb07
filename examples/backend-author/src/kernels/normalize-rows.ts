import type { Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/** weight[i] /= ‖weight[i]‖, leaving all-zero rows alone. */
export function normalizeRows(weight: Tensor): void {
  const W = f32(weight);
  const [rows, d] = matrix(weight);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let c = 0; c < d; c++) sq += W[r * d + c] ** 2;
    if (sq === 0) continue;
    const norm = Math.sqrt(sq);
    for (let c = 0; c < d; c++) W[r * d + c] /= norm;
  }
}
