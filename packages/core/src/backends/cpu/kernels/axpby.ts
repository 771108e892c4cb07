import type { Scale } from '../../../backend/scale.js';
import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, matrix, shapeError } from '../context.js';

const K = 'axpby';

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
  const o = ctx.f32(out, K, 'out');
  const xs = ctx.f32(x, K, 'x');
  const ys = ctx.f32(y, K, 'y');
  if (out.size !== x.size)
    throw shapeError(K, `out ${describe(out)} must have the size of x ${describe(x)}`);
  const cols = matrix(x)[1];
  const broadcast = y.size !== x.size;
  if (broadcast && !(y.size === cols && y.size < x.size)) {
    throw shapeError(
      K,
      `y ${describe(y)} must have the size of x ${describe(x)} or of one of its rows (${cols})`,
    );
  }
  const sa = ctx.scale(a, K, 'a');
  const sb = ctx.scale(b, K, 'b');
  const n = xs.length;
  if (!broadcast) {
    for (let i = 0; i < n; i++) o[i] = sa * xs[i] + sb * ys[i];
    return;
  }
  for (let base = 0; base < n; base += cols) {
    for (let c = 0; c < cols; c++) o[base + c] = sa * xs[base + c] + sb * ys[c];
  }
}
