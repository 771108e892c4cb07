import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, shapeError } from '../context.js';

const K = 'copy';

export function copy(ctx: CpuContext, out: Tensor, src: Tensor): void {
  const o = ctx.data(out, K, 'out');
  const s = ctx.data(src, K, 'src');
  if (out.dtype !== src.dtype) throw shapeError(K, `out is ${out.dtype} but src is ${src.dtype}`);
  if (out.size !== src.size)
    throw shapeError(K, `out ${describe(out)} and src ${describe(src)} differ in size`);
  o.set(s);
}
