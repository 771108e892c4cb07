import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩: SIMD dots (kernels.c), rows over the pool. */
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
  const [o, xp, i, w] = [ctx.ptr(out), ctx.ptr(x), ctx.ptr(indices), ctx.ptr(weight)];
  ctx.pool.run(
    'gather_dot',
    ctx
      .rowRanges(B, k * d)
      .map(([b, e]) => [o + b * k * 4, xp + b * d * 4, i + b * k * 4, w, e - b, k, d]),
  );
}
