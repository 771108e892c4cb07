import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, shapeError } from '../context.js';

const K = 'fill';

export function fill(ctx: CpuContext, out: Tensor, value: number): void {
  const o = ctx.data(out, K, 'out');
  if (out.dtype === 'int32' && !Number.isInteger(value)) {
    throw shapeError(K, `value ${value} must be an integer for an int32 tensor`);
  }
  o.fill(value);
}
