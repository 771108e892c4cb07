import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward): a SIMD select, split over the pool. */
export function maskPositive(ctx: OrtContext, out: Tensor, grad: Tensor, ref: Tensor): void {
  const [o, g, r] = [ctx.ptr(out), ctx.ptr(grad), ctx.ptr(ref)];
  ctx.pool.run(
    'mask_positive',
    ctx.elementRanges(out.size).map(([i, e]) => [o + i * 4, g + i * 4, r + i * 4, e - i]),
  );
}
