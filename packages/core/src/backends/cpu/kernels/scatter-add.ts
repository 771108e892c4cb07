import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';
import { rowIndex } from '../sparse.js';

const K = 'scatterAdd';

/** out[indices[i]] += values[i] (out 1-D); duplicates accumulate, empty slots are skipped. */
export function scatterAdd(ctx: CpuContext, out: Tensor, indices: Tensor, values: Tensor): void {
  const o = ctx.f32(out);
  const idx = ctx.i32(indices);
  const v = ctx.f32(values);
  const m = out.size;
  // Accumulate in float64 so many duplicates of one index round once.
  const acc = ctx.scratchF64('scatterAdd', m);
  for (let i = 0; i < m; i++) acc[i] = o[i];
  for (let s = 0; s < idx.length; s++) {
    const row = rowIndex(K, idx[s], m, s);
    if (row >= 0) acc[row] += v[s];
  }
  for (let i = 0; i < m; i++) o[i] = acc[i];
}
