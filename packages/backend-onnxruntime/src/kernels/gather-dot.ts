import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { bucketSlots, ROW_WALK_WEIGHT_BYTES, slotBalancedRows } from './slot-buckets.js';
import { checkRows } from './sparse-rows.js';

/**
 * out[b,j] = ⟨x[b], weight[indices[b,j]]⟩: SIMD dots (kernels.c). A large weight is walked
 * row by row (each row read once for all the slots that name it, the slots split over the
 * pool by count); a small one slot by slot, rows of out over the pool. Either way each slot
 * is the same dot, so the two walks give the same bits.
 */
export function gatherDot(
  ctx: OrtContext,
  out: Tensor,
  x: Tensor,
  indices: Tensor,
  weight: Tensor,
): void {
  const [m, d] = asMatrix(weight);
  const [B, k] = asMatrix(out);
  checkRows(ctx, 'gatherDot', indices, m);
  if (weight.size * 4 >= ROW_WALK_WEIGHT_BYTES) {
    const { startPtr, orderPtr, start } = bucketSlots(ctx, indices, m);
    const [o, xp, i, w] = [ctx.ptr(out), ctx.ptr(x), ctx.ptr(indices), ctx.ptr(weight)];
    ctx.wasm.zero_empty_slots(o, i, B * k);
    ctx.pool.run(
      'gather_dot_rows',
      slotBalancedRows(start, m, ctx.rowRanges(B * k, d).length).map(([r, e]) => [
        o,
        startPtr + r * 4,
        orderPtr,
        xp,
        w + r * d * 4,
        e - r,
        k,
        d,
      ]),
    );
    return;
  }
  const [o, xp, i, w] = [ctx.ptr(out), ctx.ptr(x), ctx.ptr(indices), ctx.ptr(weight)];
  ctx.pool.run(
    'gather_dot',
    ctx
      .rowRanges(B, k * d)
      .map(([b, e]) => [o + b * k * 4, xp + b * d * 4, i + b * k * 4, w, e - b, k, d]),
  );
}
