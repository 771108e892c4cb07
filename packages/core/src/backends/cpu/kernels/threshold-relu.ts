import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/**
 * out = (x > t and x > 0) ? x : 0 with t = threshold[column] (JumpReLU, strict as upstream),
 * or, given `index`, (x ≥ t and x > 0) with the batch cut threshold[index] (BatchTopK: t is
 * the (B·k)-th value itself). out may alias x.
 */
export function thresholdRelu(
  ctx: CpuContext,
  out: Tensor,
  x: Tensor,
  threshold: Tensor,
  index?: number,
): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  const th = ctx.f32(threshold);
  if (index !== undefined) {
    const t = th[index];
    // The extra pass reads past a typed array's end or writes outside it (ignored).
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      o[i] = v >= t && v > 0 ? v : 0;
    }
    return;
  }
  const cols = matrix(x)[1];
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let base = 0; base < xs.length; base += cols) {
    for (let c = 0; c < cols; c++) {
      const v = xs[base + c];
      o[base + c] = v > th[c] && v > 0 ? v : 0;
    }
  }
}
