import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';
import { checkRows } from './sparse-rows.js';

/**
 * weight[indices[b,j]] += values[b,j] · x[b]. Slots are bucketed by target row here (a
 * counting sort, (b, j) order within a row), then kernels.c adds each row's slots while that
 * row sits in cache: each weight row is read and written once, in a fixed order.
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
  const start = ctx.i32At(startPtr, m + 1);
  const order = ctx.i32At(orderPtr, Math.max(1, n));
  const fillAt = ctx.i32At(fillPtr, m);
  const idx = ctx.i32(indices);
  start.fill(0);
  for (let s = 0; s < n; s++) {
    const r = idx[s];
    if (r >= 0) start[r + 1]++;
  }
  for (let r = 0; r < m; r++) start[r + 1] += start[r];
  fillAt.set(start.subarray(0, m));
  for (let s = 0; s < n; s++) {
    const r = idx[s];
    if (r >= 0) order[fillAt[r]++] = s;
  }
  ctx.wasm.scatter_outer_add(
    ctx.ptr(weight),
    startPtr,
    orderPtr,
    ctx.ptr(values),
    ctx.ptr(x),
    m,
    k,
    d,
  );
}
