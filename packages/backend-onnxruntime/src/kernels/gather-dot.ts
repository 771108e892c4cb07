import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩: SIMD dot products (kernels.c). */
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
  ctx.wasm.gather_dot(ctx.ptr(out), ctx.ptr(x), ctx.ptr(indices), ctx.ptr(weight), B, k, d);
}
