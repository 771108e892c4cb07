import { asMatrix, type Scale, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out = a·x + b·y (y broadcast as a row when it is one row of x): one SIMD pass (kernels.c).
 * Device scales are resolved first, so a scale whose source is out sees the old value.
 */
export function axpby(
  ctx: OrtContext,
  out: Tensor,
  a: Scale,
  x: Tensor,
  b: Scale,
  y: Tensor,
): void {
  const sa = ctx.scale(a);
  const sb = ctx.scale(b);
  const broadcast = y.size !== x.size;
  ctx.wasm.axpby(
    ctx.ptr(out),
    sa,
    ctx.ptr(x),
    sb,
    ctx.ptr(y),
    x.size,
    asMatrix(x)[1],
    broadcast ? 1 : 0,
  );
}
