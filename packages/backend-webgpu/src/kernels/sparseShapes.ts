import { ShapeError, type Tensor } from '@saekit/core';
import { expectDtype, expectSize, matrix } from './common.js';

/** Checks a sparse code (values/indices [B, k]) against a weight [m, d]; returns B, k, m, d. */
export function sparseShapes(
  kernel: string,
  values: Tensor | null,
  indices: Tensor,
  weight: Tensor,
): { B: number; k: number; m: number; d: number } {
  expectDtype(indices, 'int32', kernel, 'indices');
  expectDtype(weight, 'float32', kernel, 'weight');
  const [B, k] = matrix(indices);
  const [m, d] = matrix(weight);
  if (values) {
    expectDtype(values, 'float32', kernel, 'values');
    expectSize(values, B * k, kernel, `values (indices are [${B}, ${k}])`);
  }
  if (weight.shape.length === 0) throw new ShapeError(`webgpu ${kernel}: weight must be a matrix`);
  return { B, k, m, d };
}
