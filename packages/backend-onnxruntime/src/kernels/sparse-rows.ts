import { KernelArgumentError, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * Checks every slot's row index against the weight's `rows` (−1 and other negatives are
 * empty slots): the SIMD kernels trust their indices, so a bad one is named here instead.
 */
export function checkRows(ctx: OrtContext, kernel: string, indices: Tensor, rows: number): void {
  const idx = ctx.i32(indices);
  for (let s = 0; s < idx.length; s++) {
    if (idx[s] >= rows) {
      throw new KernelArgumentError(
        kernel,
        'indices',
        `indices[${s}] = ${idx[s]} is outside [0, ${rows}) (the weight rows)`,
      );
    }
  }
}
