import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, shapeError } from '../context.js';

const K = 'staleCounter';

/** counter = fired > 0 ? 0 : counter + increment, in place; either tensor float32 or int32. */
export function staleCounter(
  ctx: CpuContext,
  counter: Tensor,
  fired: Tensor,
  increment: number,
): void {
  const c = ctx.data(counter, K, 'counter');
  const f = ctx.data(fired, K, 'fired');
  if (fired.size !== counter.size) {
    throw shapeError(
      K,
      `fired ${describe(fired)} must have the size of counter ${describe(counter)}`,
    );
  }
  if (counter.dtype === 'int32' && !Number.isInteger(increment)) {
    throw shapeError(K, `increment ${increment} must be an integer for an int32 counter`);
  }
  for (let i = 0; i < c.length; i++) c[i] = f[i] > 0 ? 0 : c[i] + increment;
}
