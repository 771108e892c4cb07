import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/** counter = fired > 0 ? 0 : counter + increment, in place; either tensor float32 or int32. */
export function staleCounter(
  ctx: CpuContext,
  counter: Tensor,
  fired: Tensor,
  increment: number,
): void {
  const c = ctx.data(counter);
  const f = ctx.data(fired);
  for (let i = 0; i < c.length; i++) c[i] = f[i] > 0 ? 0 : c[i] + increment;
}
