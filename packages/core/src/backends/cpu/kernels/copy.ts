import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

export function copy(ctx: CpuContext, out: Tensor, src: Tensor): void {
  const o = ctx.data(out);
  const s = ctx.data(src);
  o.set(s);
}
