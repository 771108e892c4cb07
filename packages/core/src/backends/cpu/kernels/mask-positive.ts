import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward); out may alias grad. */
export function maskPositive(ctx: CpuContext, out: Tensor, grad: Tensor, ref: Tensor): void {
  const o = ctx.f32(out);
  const g = ctx.f32(grad);
  const r = ctx.f32(ref);
  for (let i = 0; i < o.length; i++) o[i] = r[i] > 0 ? g[i] : 0;
}
