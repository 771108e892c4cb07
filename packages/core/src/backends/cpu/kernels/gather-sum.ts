import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';
import { rowIndex } from '../sparse.js';

const K = 'gatherSum';

/** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]], skipping empty (−1) slots. */
export function gatherSum(
  ctx: CpuContext,
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const o = ctx.f32(out);
  const w = ctx.f32(weight);
  const [m, d] = matrix(weight);
  const [B] = matrix(out);
  const bv = bias === undefined ? undefined : ctx.f32(bias);
  const v = ctx.f32(values);
  const idx = ctx.i32(indices);
  const k = matrix(values)[1];
  const acc = ctx.scratchF64('gatherSum', d);
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let b = 0; b < B; b++) {
    if (bv === undefined) acc.fill(0, 0, d);
    // Stryker: `c <= d` survives here as an equivalent mutant (a disable comment cannot attach to
    // an else branch): the extra pass only touches a scratch slot that is never read.
    else for (let c = 0; c < d; c++) acc[c] = bv[c];
    for (let j = 0; j < k; j++) {
      const slot = b * k + j;
      const row = rowIndex(K, idx[slot], m, slot);
      if (row < 0) continue;
      const s = v[slot];
      const base = row * d;
      // The extra pass only touches a scratch slot that is never read.
      // Stryker disable next-line EqualityOperator: equivalent, see above
      for (let c = 0; c < d; c++) acc[c] += s * w[base + c];
    }
    const ob = b * d;
    // The extra pass writes the next row's slot, which that row overwrites, or past the end.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let c = 0; c < d; c++) o[ob + c] = acc[c];
  }
}
