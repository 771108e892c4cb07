import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import type { OrtTensor } from '../tensor.js';

/**
 * Per row: the k largest scores, ties to the lower column, in kernels.c. A row is bounded
 * from below by the smallest of k strip maxima, the columns at or above the bound are listed
 * (two SIMD passes, the second from cache), and a min-heap of the best k runs over that short
 * list only; narrow rows skip the bound and scan every column against the heap's root. A
 * masked call
 * (AuxK) lists the unmasked (dead) columns once and scans only those in every row. Rows are
 * split over the pool's threads, each with its own heap scratch.
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
  const ranges = ctx.rowRanges(B, m);
  // Every block is taken before any view: a later allocation may grow the heap.
  const scratch = ranges.map((_, t) => [
    ctx.heapScratch(`topk.values.${t}`, Math.max(1, k) * 4),
    ctx.heapScratch(`topk.indices.${t}`, Math.max(1, k) * 4),
    ctx.heapScratch(`topk.candidates.${t}`, Math.max(1, m) * 4),
  ]);
  const [v, i, s] = [ctx.ptr(values), ctx.ptr(indices), ctx.ptr(scores)];
  const rows = (b: number) => [v + b * k * 4, i + b * k * 4, s + b * m * 4];
  if (mask === undefined) {
    ctx.pool.run(
      'topk_rows',
      ranges.map(([b, e], t) => [...rows(b), e - b, m, k, ...scratch[t]]),
    );
    return;
  }
  const colsPtr = ctx.heapScratch('topk.columns', Math.max(1, m) * 4);
  const cols = ctx.i32At(colsPtr, m);
  const mk = (mask as OrtTensor).data as Float32Array | Int32Array;
  let nc = 0;
  for (let c = 0; c < m; c++) if (mk[c] !== 0) cols[nc++] = c;
  ctx.pool.run(
    'topk_rows_listed',
    ranges.map(([b, e], t) => [...rows(b), e - b, m, k, colsPtr, nc, scratch[t][0], scratch[t][1]]),
  );
}
