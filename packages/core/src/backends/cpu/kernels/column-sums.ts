import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/** out[c] = Σ_r x[r, c] (+ out[c] when accumulating), summed in float64. */
export function columnSums(ctx: CpuContext, out: Tensor, x: Tensor, accumulate = false): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  const [R, C] = matrix(x);
  const acc = ctx.scratchF64('columnSums', C);
  acc.fill(0, 0, C);
  for (let r = 0; r < R; r++) {
    const base = r * C;
    for (let c = 0; c < C; c++) acc[c] += xs[base + c];
  }
  for (let c = 0; c < C; c++) o[c] = accumulate ? o[c] + acc[c] : acc[c];
}
