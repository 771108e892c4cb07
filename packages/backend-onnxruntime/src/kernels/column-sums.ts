import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { blockColumnSums } from './reduce.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating), in float64 blocks of rows over the pool. */
export function columnSums(ctx: OrtContext, out: Tensor, x: Tensor, accumulate = false): void {
  const [R, C] = asMatrix(x);
  const sums = blockColumnSums(ctx, x, R, C);
  const o = ctx.f32(out);
  for (let c = 0; c < C; c++) o[c] = accumulate ? o[c] + sums[c] : sums[c];
}
