import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';
import { rowIndex } from '../sparse.js';

const K = 'scatterOuterAdd';

/**
 * weight[indices[b,j]] += values[b,j] · x[b]; duplicates accumulate, empty slots are skipped.
 *
 * Slots are bucketed by target row first (a counting sort, in (b, j) order within a row), so
 * each weight row is accumulated in float64 and written once: fewer roundings than adding
 * into float32 slot by slot, cache-friendly, and the order is fixed, so results are
 * reproducible.
 */
export function scatterOuterAdd(
  ctx: CpuContext,
  weight: Tensor,
  indices: Tensor,
  values: Tensor,
  x: Tensor,
): void {
  const w = ctx.f32(weight);
  const xs = ctx.f32(x);
  const [m, d] = matrix(weight);
  const [B, k] = matrix(values);
  const v = ctx.f32(values);
  const idx = ctx.i32(indices);
  const n = B * k;
  const start = ctx.scratchI32('scatterOuterAdd.start', m + 1);
  const order = ctx.scratchI32('scatterOuterAdd.order', n);
  start.fill(0, 0, m + 1);
  // indices[n] reads undefined, which no row test accepts.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let s = 0; s < n; s++) {
    const row = rowIndex(K, idx[s], m, s);
    // Empty slots then shift every row's bucket by the same count.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (row >= 0) start[row + 1]++;
  }
  // The extra pass only touches a scratch slot that is never read.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let r = 0; r < m; r++) start[r + 1] += start[r];
  const fillAt = ctx.scratchI32('scatterOuterAdd.fill', m);
  fillAt.set(start.subarray(0, m));
  // indices[n] reads undefined, which no row test accepts.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let s = 0; s < n; s++) {
    const row = idx[s];
    // A typed array ignores the write at index -1.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (row >= 0) order[fillAt[row]++] = s;
  }
  const acc = ctx.scratchF64('scatterOuterAdd', d);
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let r = 0; r < m; r++) {
    const from = start[r];
    const to = start[r + 1];
    // A row with no slots is written back unchanged (f32 → f64 → f32 is exact).
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (from === to) continue;
    const base = r * d;
    // The extra pass only touches a scratch slot that is never read.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let c = 0; c < d; c++) acc[c] = w[base + c];
    for (let t = from; t < to; t++) {
      const s = order[t];
      const scale = v[s];
      const xb = ((s / k) | 0) * d;
      // The extra pass only touches a scratch slot that is never read.
      // Stryker disable next-line EqualityOperator: equivalent, see above
      for (let c = 0; c < d; c++) acc[c] += scale * xs[xb + c];
    }
    for (let c = 0; c < d; c++) w[base + c] = acc[c];
  }
}
