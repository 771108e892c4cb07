import type { Tensor } from '@saekit/core';
import type { TfjsTensor } from '../handle.js';
import { expectDtype, expectMatrix } from './checks.js';

/** Checks a sparse code (values [B, k] float32, indices [B, k] int32); returns [B, k]. */
export function sparseCodeShape(
  kernel: string,
  indices: TfjsTensor,
  values: TfjsTensor | undefined,
  rows?: number,
): [number, number] {
  expectDtype(kernel, 'indices', indices, 'int32');
  const [b, k] = expectMatrix(kernel, 'indices', indices, rows, undefined);
  if (values) {
    expectDtype(kernel, 'values', values, 'float32');
    expectMatrix(kernel, 'values', values, b, k);
  }
  return [b, k];
}

export function weightShape(kernel: string, weight: Tensor, cols?: number): [number, number] {
  expectDtype(kernel, 'weight', weight, 'float32');
  return expectMatrix(kernel, 'weight', weight, undefined, cols);
}
