import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** weight[i] /= ‖weight[i]‖ (rows with a non-zero norm): one SIMD pass per row (kernels.c). */
export function normalizeRows(ctx: OrtContext, weight: Tensor): void {
  const [m, d] = asMatrix(weight);
  ctx.wasm.normalize_rows(ctx.ptr(weight), m, d);
}
