import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i]: a SIMD dot and axpy per row, rows over the pool. */
export function removeParallel(ctx: OrtContext, grad: Tensor, weight: Tensor): void {
  const [m, d] = asMatrix(grad);
  const [g, w] = [ctx.ptr(grad), ctx.ptr(weight)];
  ctx.pool.run(
    'remove_parallel',
    ctx.rowRanges(m, d).map(([r, e]) => [g + r * d * 4, w + r * d * 4, e - r, d]),
  );
}
