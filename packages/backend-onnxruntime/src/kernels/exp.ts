import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out = eˣ through core's reference loop (Math.exp rounded once to float32) on this backend's
 * heap views. Training calls it on [m]-sized vectors (JumpReLU's log-threshold step), so a wasm
 * SIMD version would buy nothing; it would need a hand-written exp polynomial in kernels.c
 * (there is no libm in the freestanding build) for a less accurate result.
 */
export function exp(ctx: OrtContext, out: Tensor, x: Tensor): void {
  ctx.reference.exp(out, x);
}
