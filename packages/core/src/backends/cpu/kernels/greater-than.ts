import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, shapeError } from '../context.js';

const K = 'greaterThan';

/** out = x > threshold ? 1 : 0; out may be float32 or int32 (a firing mask or a count). */
export function greaterThan(ctx: CpuContext, out: Tensor, x: Tensor, threshold: number): void {
  const o = ctx.data(out, K, 'out');
  const xs = ctx.f32(x, K, 'x');
  if (out.size !== x.size)
    throw shapeError(K, `out ${describe(out)} must have the size of x ${describe(x)}`);
  for (let i = 0; i < o.length; i++) o[i] = xs[i] > threshold ? 1 : 0;
}
