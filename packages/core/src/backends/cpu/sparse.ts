import type { Tensor } from '../../backend/tensor.js';
import { type CpuContext, describe, matrix, shapeError } from './context.js';

/** The shared argument checks of the sparse kernels: a code (values, indices) of shape [B, k]. */
export interface SparseCode {
  readonly rows: number;
  readonly k: number;
  readonly values: Float32Array;
  readonly indices: Int32Array;
}

export function sparseCode(
  ctx: CpuContext,
  kernel: string,
  values: Tensor,
  indices: Tensor,
  rows: number,
  valuesArg = 'values',
): SparseCode {
  const v = ctx.f32(values, kernel, valuesArg);
  const i = ctx.i32(indices, kernel, 'indices');
  const [vr, k] = matrix(values);
  if (vr !== rows)
    throw shapeError(kernel, `${valuesArg} ${describe(values)} must have ${rows} rows`);
  if (!sameShape(values, indices)) {
    throw shapeError(
      kernel,
      `indices ${describe(indices)} must have the shape of ${valuesArg} ${describe(values)}`,
    );
  }
  return { rows, k, values: v, indices: i };
}

/** The slot's row index, or −1 for an empty slot; throws on an index past the last row. */
export function rowIndex(kernel: string, index: number, limit: number, slot: number): number {
  if (index < 0) return -1;
  if (index >= limit) {
    throw shapeError(
      kernel,
      `indices[${slot}] = ${index} is outside [0, ${limit}) (the weight rows)`,
    );
  }
  return index;
}

export function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i]);
}
