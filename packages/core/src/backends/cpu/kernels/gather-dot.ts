import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';
import { rowIndex } from '../sparse.js';

const K = 'gatherDot';

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩, 0 for empty (−1) slots. */
export function gatherDot(
  ctx: CpuContext,
  out: Tensor,
  x: Tensor,
  indices: Tensor,
  weight: Tensor,
): void {
  const xs = ctx.f32(x);
  const w = ctx.f32(weight);
  const [m, d] = matrix(weight);
  const [B] = matrix(x);
  const o = ctx.f32(out);
  const idx = ctx.i32(indices);
  const k = matrix(indices)[1];
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let b = 0; b < B; b++) {
    const xb = b * d;
    // The extra pass writes the next row's slot, which that row overwrites, or past the end.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let j = 0; j < k; j++) {
      const slot = b * k + j;
      const row = rowIndex(K, idx[slot], m, slot);
      if (row < 0) {
        o[slot] = 0;
        continue;
      }
      const base = row * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += xs[xb + c] * w[base + c];
      o[slot] = s;
    }
  }
}
