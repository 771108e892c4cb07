import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { ROW_WALK_WEIGHT_BYTES } from './slot-buckets.js';
import { checkRows } from './sparse-rows.js';

/**
 * out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]: SIMD row axpys (kernels.c), rows
 * of out split over the pool's threads. A large weight is walked row by row within each
 * part (its slots bucketed by weight row, each weight row read once per part and added into
 * every out row of the part that uses it); a small one slot by slot. The row walk sums each
 * out row in increasing weight-row order, the slot walk in slot order: both are fixed by the
 * data alone, not by the split.
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
  const ranges = ctx.rowRanges(B, k * d);
  if (weight.size * 4 >= ROW_WALK_WEIGHT_BYTES) {
    // Every block is taken before any view: a later allocation may grow the heap.
    const scratch = ranges.map(([b, e], t) => [
      ctx.heapScratch(`gatherSum.start.${t}`, (m + 1) * 4),
      ctx.heapScratch(`gatherSum.order.${t}`, Math.max(1, (e - b) * k) * 4),
      ctx.heapScratch(`gatherSum.fill.${t}`, Math.max(1, m) * 4),
    ]);
    const biasPtr = bias === undefined ? 0 : ctx.ptr(bias);
    const [o, v, i, w] = [ctx.ptr(out), ctx.ptr(values), ctx.ptr(indices), ctx.ptr(weight)];
    ctx.pool.run(
      'gather_sum_rows',
      ranges.map(([b, e], t) => [
        o + b * d * 4,
        v + b * k * 4,
        i + b * k * 4,
        w,
        biasPtr,
        e - b,
        k,
        d,
        m,
        ...scratch[t],
      ]),
    );
    return;
  }
  const biasPtr = bias === undefined ? 0 : ctx.ptr(bias);
  const [o, v, i, w] = [ctx.ptr(out), ctx.ptr(values), ctx.ptr(indices), ctx.ptr(weight)];
  ctx.pool.run(
    'gather_sum',
    ranges.map(([b, e]) => [o + b * d * 4, v + b * k * 4, i + b * k * 4, w, biasPtr, e - b, k, d]),
  );
}
