import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

export function fill(ctx: CpuContext, out: Tensor, value: number): void {
  const o = ctx.data(out);
  o.fill(value);
}
