import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, shapeError } from '../context.js';

const K = 'maskPositive';

/** out = ref > 0 ? grad : 0 (the ReLU backward); out may alias grad. */
export function maskPositive(ctx: CpuContext, out: Tensor, grad: Tensor, ref: Tensor): void {
  const o = ctx.f32(out, K, 'out');
  const g = ctx.f32(grad, K, 'grad');
  const r = ctx.f32(ref, K, 'ref');
  if (grad.size !== out.size || ref.size !== out.size) {
    throw shapeError(
      K,
      `out ${describe(out)}, grad ${describe(grad)} and ref ${describe(ref)} must have one size`,
    );
  }
  for (let i = 0; i < o.length; i++) o[i] = r[i] > 0 ? g[i] : 0;
}
