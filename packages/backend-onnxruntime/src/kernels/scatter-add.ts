import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/**
 * out[indices[i]] += values[i] (out 1-D; duplicates accumulate, empty slots skipped), each
 * target summed in float64 and rounded once, as core's reference does: one wasm pass.
 */
export function scatterAdd(ctx: OrtContext, out: Tensor, indices: Tensor, values: Tensor): void {
  checkRows(ctx, 'scatterAdd', indices, out.size);
  const acc = ctx.heapScratch('scatterAdd.acc', Math.max(1, out.size) * 8);
  ctx.wasm.scatter_add(
    ctx.ptr(out),
    ctx.ptr(indices),
    ctx.ptr(values),
    indices.size,
    out.size,
    acc,
  );
}
