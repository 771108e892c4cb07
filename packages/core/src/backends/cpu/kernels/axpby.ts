import type { Scale } from '../../../backend/scale.js';
import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/**
 * out = a·x + b·y, with y broadcast as a row vector when it has as many elements as a row of x
 * (and fewer than x). Elementwise read-before-write, so out may alias x or y. Device scales are
 * resolved before the loop, so a scale whose source is out itself sees the old value.
 */
export function axpby(
  ctx: CpuContext,
  out: Tensor,
  a: Scale,
  x: Tensor,
  b: Scale,
  y: Tensor,
): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  const ys = ctx.f32(y);
  const cols = matrix(x)[1];
  const broadcast = y.size !== x.size;
  const sa = ctx.scale(a);
  const sb = ctx.scale(b);
  const n = xs.length;
  if (!broadcast) {
    for (let i = 0; i < n; i++) o[i] = sa * xs[i] + sb * ys[i];
    return;
  }
  for (let base = 0; base < n; base += cols) {
    for (let c = 0; c < cols; c++) o[base + c] = sa * xs[base + c] + sb * ys[c];
  }
}
