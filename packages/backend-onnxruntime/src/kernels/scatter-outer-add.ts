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
  const startPtr = ctx.heapScratch('scatterOuterAdd.start', (m + 1) * 4);
  const orderPtr = ctx.heapScratch('scatterOuterAdd.order', Math.max(1, n) * 4);
  const start = ctx.i32At(startPtr, m + 1);
  const order = ctx.i32At(orderPtr, Math.max(1, n));
  const idx = ctx.i32(indices);
  start.fill(0);
  for (let s = 0; s < n; s++) {
    const r = idx[s];
    if (r >= 0) start[r + 1]++;
  }
  for (let r = 0; r < m; r++) start[r + 1] += start[r];
  const fillAt = ctx.scratchI32('scatterOuterAdd.fill', m);
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
