import type { ReduceOp, Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out[offset] (+)= Σ x or Σ x²: kernels.c's blocked SIMD sum (float32 within 512-element
 * blocks, float64 across them). The centred sum of squares is two-pass in float64 on [B, d]
 * tensors only, so the reference loop keeps it.
 */
export function reduce(
  ctx: OrtContext,
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  if (op === 'sumSquaresCentered') {
    ctx.reference.reduce(out, offset, x, op, accumulate);
    return;
  }
  const total = ctx.wasm.reduce_sum(ctx.ptr(x), x.size, op === 'sumSquares' ? 1 : 0);
  const o = ctx.f32(out);
  o[offset] = accumulate ? o[offset] + total : total;
}
