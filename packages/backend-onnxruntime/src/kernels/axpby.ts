import { asMatrix, type Scale, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out = a·x + b·y (y broadcast as a row when it is one row of x): one SIMD pass (kernels.c),
 * split over the pool's threads.
 * Device scales are resolved first, so a scale whose source is out sees the old value.
 */
export function axpby(
  ctx: OrtContext,
  out: Tensor,
  a: Scale,
  x: Tensor,
  b: Scale,
  y: Tensor,
): void {
  const sa = ctx.scale(a);
  const sb = ctx.scale(b);
  const broadcast = y.size !== x.size;
  const cols = asMatrix(x)[1];
  const [o, xp, yp] = [ctx.ptr(out), ctx.ptr(x), ctx.ptr(y)];
  // A broadcast row is re-read from its start by every part, so parts are whole rows.
  const parts = broadcast
    ? ctx
        .rowRanges(x.size / cols, cols)
        .map(([r, e]) => [o + r * cols * 4, sa, xp + r * cols * 4, sb, yp, (e - r) * cols, cols, 1])
    : ctx
        .elementRanges(x.size)
        .map(([i, e]) => [o + i * 4, sa, xp + i * 4, sb, yp + i * 4, e - i, cols, 0]);
  ctx.pool.run('axpby', parts);
}
