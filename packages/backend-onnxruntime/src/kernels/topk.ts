import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import type { OrtTensor } from '../tensor.js';

/**
 * Per row: the k largest scores, ties to the lower column, in kernels.c: a min-heap of the
 * best k, each row scanned 16 columns per SIMD compare against the heap's root. A masked call
 * (AuxK) lists the unmasked (dead) columns once and scans only those in every row.
 */
export function topk(
  ctx: OrtContext,
  values: Tensor,
  indices: Tensor,
  scores: Tensor,
  mask?: Tensor,
): void {
  const [B, m] = asMatrix(scores);
  const k = asMatrix(values)[1];
  const hv = ctx.heapScratch('topk.values', Math.max(1, k) * 4);
  const hi = ctx.heapScratch('topk.indices', Math.max(1, k) * 4);
  const [v, i, s] = [ctx.ptr(values), ctx.ptr(indices), ctx.ptr(scores)];
  if (mask === undefined) {
    ctx.wasm.topk_rows(v, i, s, B, m, k, hv, hi);
    return;
  }
  const colsPtr = ctx.heapScratch('topk.columns', Math.max(1, m) * 4);
  const cols = ctx.i32At(colsPtr, m);
  const mk = (mask as OrtTensor).data as Float32Array | Int32Array;
  let nc = 0;
  for (let c = 0; c < m; c++) if (mk[c] !== 0) cols[nc++] = c;
  ctx.wasm.topk_rows_listed(v, i, s, B, m, k, colsPtr, nc, hv, hi);
}
