import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * Per row: the k largest scores, ties to the lower column. Unmasked rows run kernels.c's
 * selection (a min-heap of the best k, rows scanned 16 columns per SIMD compare against the
 * heap's root). A masked call (AuxK) goes to the reference loop, which scans only the
 * unmasked (dead) columns, usually few.
 */
export function topk(
  ctx: OrtContext,
  values: Tensor,
  indices: Tensor,
  scores: Tensor,
  mask?: Tensor,
): void {
  if (mask !== undefined) {
    ctx.reference.topk(values, indices, scores, mask);
    return;
  }
  const [B, m] = asMatrix(scores);
  const k = asMatrix(values)[1];
  const hv = ctx.heapScratch('topk.values', Math.max(1, k) * 4);
  const hi = ctx.heapScratch('topk.indices', Math.max(1, k) * 4);
  ctx.wasm.topk_rows(ctx.ptr(values), ctx.ptr(indices), ctx.ptr(scores), B, m, k, hv, hi);
}
