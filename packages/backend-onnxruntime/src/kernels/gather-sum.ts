import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/**
 * out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]: SIMD row axpys (kernels.c), rows
 * split over the pool's threads.
 */
export function gatherSum(
  ctx: OrtContext,
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const [m, d] = asMatrix(weight);
  const [B, k] = asMatrix(values);
  checkRows(ctx, 'gatherSum', indices, m);
  const biasPtr = bias === undefined ? 0 : ctx.ptr(bias);
  const [o, v, i, w] = [ctx.ptr(out), ctx.ptr(values), ctx.ptr(indices), ctx.ptr(weight)];
  ctx.pool.run(
    'gather_sum',
    ctx
      .rowRanges(B, k * d)
      .map(([b, e]) => [o + b * d * 4, v + b * k * 4, i + b * k * 4, w, biasPtr, e - b, k, d]),
  );
}
