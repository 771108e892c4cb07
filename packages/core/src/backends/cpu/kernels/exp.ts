import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/** out = eˣ, rounded once from float64 to float32 (subnormal results are kept); out may alias x. */
export function exp(ctx: CpuContext, out: Tensor, x: Tensor): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(xs[i]);
}
