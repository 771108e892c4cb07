import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]: SIMD row axpys (kernels.c). */
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
  ctx.wasm.gather_sum(
    ctx.ptr(out),
    ctx.ptr(values),
    ctx.ptr(indices),
    ctx.ptr(weight),
    biasPtr,
    B,
    k,
    d,
  );
}
