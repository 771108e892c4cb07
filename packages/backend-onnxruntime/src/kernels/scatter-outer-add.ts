import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { bucketSlots, slotBalancedRows } from './slot-buckets.js';
import { checkRows } from './sparse-rows.js';

/**
 * weight[indices[b,j]] += values[b,j] · x[b]. Slots are bucketed by target row first, then
 * kernels.c adds each row's slots 32 columns at a time in registers, 8 slots a group: a
 * weight row is read and written once per group, and every element adds its slots in slot
 * order. Rows are split over the pool's threads by slot count, so the result does not depend
 * on the split.
 */
export function scatterOuterAdd(
  ctx: OrtContext,
  weight: Tensor,
  indices: Tensor,
  values: Tensor,
  x: Tensor,
): void {
  const [m, d] = asMatrix(weight);
  const [B, k] = asMatrix(values);
  checkRows(ctx, 'scatterOuterAdd', indices, m);
  const { startPtr, orderPtr, start } = bucketSlots(ctx, indices, m);
  const [w, vp, xp] = [ctx.ptr(weight), ctx.ptr(values), ctx.ptr(x)];
  ctx.pool.run(
    'scatter_outer_add',
    slotBalancedRows(start, m, ctx.rowRanges(B * k, d).length).map(([r, e]) => [
      w + r * d * 4,
      startPtr + r * 4,
      orderPtr,
      vp,
      xp,
      e - r,
      k,
      d,
    ]),
  );
}
