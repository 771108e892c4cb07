import { KernelArgumentError, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * Checks every slot's row index against the weight's `rows` (−1 and other negatives are
 * empty slots), in one wasm pass: the SIMD kernels trust their indices, so a bad one is named
 * here instead.
 */
export function checkRows(ctx: OrtContext, kernel: string, indices: Tensor, rows: number): void {
  const s = ctx.wasm.first_row_past(ctx.ptr(indices), indices.size, rows);
  if (s >= 0) {
    throw new KernelArgumentError(
      kernel,
      'indices',
      `indices[${s}] = ${ctx.i32(indices)[s]} is outside [0, ${rows}) (the weight rows)`,
    );
  }
}
