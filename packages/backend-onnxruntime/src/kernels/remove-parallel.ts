import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i]: a SIMD dot and axpy per row (kernels.c). */
export function removeParallel(ctx: OrtContext, grad: Tensor, weight: Tensor): void {
  const [m, d] = asMatrix(grad);
  ctx.wasm.remove_parallel(ctx.ptr(grad), ctx.ptr(weight), m, d);
}
