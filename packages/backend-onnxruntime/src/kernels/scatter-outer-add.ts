import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/**
 * Row ranges [r, e) of the weight, `parts` of them, holding about equal numbers of slots
 * (start is the bucket prefix sum): each thread then adds as many rows of x as the others.
 */
export function slotBalancedRows(start: Int32Array, m: number, parts: number): [number, number][] {
  const total = start[m];
  const out: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts && from < m; p++) {
    let to = m;
    if (p < parts) {
      // The first row whose prefix reaches this part's share.
      const want = (total * p) / parts;
      let lo = from;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (start[mid] < want) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
    }
    if (to > from) out.push([from, to]);
    from = to;
  }
  return out;
}

/**
 * weight[indices[b,j]] += values[b,j] · x[b]. Slots are bucketed by target row first (a
 * counting sort in kernels.c, (b, j) order within a row), then kernels.c adds each row's slots while that
 * row sits in cache: each weight row is read and written once, in a fixed order. Rows are
 * split over the pool's threads by slot count, so the result does not depend on the split.
 */
export function scatterOuterAdd(
  ctx: OrtContext,
  weight: Tensor,
  indices: Tensor,
  values: Tensor,
  x: Tensor,
): void {
  const [m, d] = asMatrix(weight);
  const [B, k] = asMatrix(values);
  checkRows(ctx, 'scatterOuterAdd', indices, m);
  const n = B * k;
  // Every block is taken before any view: a later allocation may grow (and detach) the heap.
  const startPtr = ctx.heapScratch('scatterOuterAdd.start', (m + 1) * 4);
  const orderPtr = ctx.heapScratch('scatterOuterAdd.order', Math.max(1, n) * 4);
  const fillPtr = ctx.heapScratch('scatterOuterAdd.fill', Math.max(1, m) * 4);
  ctx.wasm.bucket_rows(ctx.ptr(indices), n, m, startPtr, orderPtr, fillPtr);
  const start = ctx.i32At(startPtr, m + 1);
  const [w, vp, xp] = [ctx.ptr(weight), ctx.ptr(values), ctx.ptr(x)];
  ctx.pool.run(
    'scatter_outer_add',
    slotBalancedRows(start, m, ctx.rowRanges(n, d).length).map(([r, e]) => [
      w + r * d * 4,
      startPtr + r * 4,
      orderPtr,
      vp,
      xp,
      e - r,
      k,
      d,
    ]),
  );
}
