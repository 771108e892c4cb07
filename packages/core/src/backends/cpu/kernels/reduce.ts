import type { ReduceOp } from '../../../backend/backend.js';
import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/**
 * out[offset] = (out[offset] when accumulating) + Σ x | Σ x² | Σ_r ‖x[r] − mean_r x[r]‖².
 * The centred sum is two-pass (column means, then squared deviations), in float64, because the
 * one-pass Σx² − (Σx)²/R cancels badly on activations with a large mean.
 */
export function reduce(
  ctx: CpuContext,
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  let total: number;
  if (op === 'sum') {
    total = 0;
    for (let i = 0; i < xs.length; i++) total += xs[i];
  } else if (op === 'sumSquares') {
    total = 0;
    for (let i = 0; i < xs.length; i++) total += xs[i] * xs[i];
  } else {
    total = sumSquaresCentered(ctx, xs, ...matrix(x));
  }
  o[offset] = accumulate ? o[offset] + total : total;
}

function sumSquaresCentered(ctx: CpuContext, xs: Float32Array, R: number, C: number): number {
  // With no rows the sum below is 0 anyway (the nan means are never read).
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (R === 0) return 0;
  const mean = ctx.scratchF64('reduce.mean', C);
  mean.fill(0, 0, C);
  for (let r = 0; r < R; r++) {
    const base = r * C;
    // The extra pass only touches a scratch slot that is never read.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let c = 0; c < C; c++) mean[c] += xs[base + c];
  }
  // The extra pass only touches a scratch slot that is never read.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let c = 0; c < C; c++) mean[c] /= R;
  let total = 0;
  for (let r = 0; r < R; r++) {
    const base = r * C;
    for (let c = 0; c < C; c++) {
      const e = xs[base + c] - mean[c];
      total += e * e;
    }
  }
  return total;
}
