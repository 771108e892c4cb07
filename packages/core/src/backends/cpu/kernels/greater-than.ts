import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/** out = x > threshold ? 1 : 0; out may be float32 or int32 (a firing mask or a count). */
export function greaterThan(ctx: CpuContext, out: Tensor, x: Tensor, threshold: number): void {
  const o = ctx.data(out);
  const xs = ctx.f32(x);
  for (let i = 0; i < o.length; i++) o[i] = xs[i] > threshold ? 1 : 0;
}
