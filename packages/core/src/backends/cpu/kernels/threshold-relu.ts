import type { Tensor } from '../../../backend/tensor.js';
import {
  type CpuContext,
  describe,
  expectOffset,
  expectSize,
  matrix,
  shapeError,
} from '../context.js';

const K = 'thresholdRelu';

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
  const o = ctx.f32(out, K, 'out');
  const xs = ctx.f32(x, K, 'x');
  const th = ctx.f32(threshold, K, 'threshold');
  if (out.size !== x.size)
    throw shapeError(K, `out ${describe(out)} must have the size of x ${describe(x)}`);
  if (index !== undefined) {
    expectOffset(K, 'index', threshold, index);
    const t = th[index];
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      o[i] = v >= t && v > 0 ? v : 0;
    }
    return;
  }
  const cols = matrix(x)[1];
  expectSize(K, 'threshold', threshold, cols, 'one per column of x');
  for (let base = 0; base < xs.length; base += cols) {
    for (let c = 0; c < cols; c++) {
      const v = xs[base + c];
      o[base + c] = v > th[c] && v > 0 ? v : 0;
    }
  }
}
