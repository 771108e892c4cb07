import { asMatrix, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** weight[i] /= ‖weight[i]‖ (rows with a non-zero norm): one SIMD pass per row, rows over the pool. */
export function normalizeRows(ctx: OrtContext, weight: Tensor): void {
  const [m, d] = asMatrix(weight);
  const w = ctx.ptr(weight);
  ctx.pool.run(
    'normalize_rows',
    ctx.rowRanges(m, d).map(([r, e]) => [w + r * d * 4, e - r, d]),
  );
}
