/**
 * Argument checks shared by the kernels. Every message names the kernel and the argument,
 * because a shape bug in a training loop is found by reading the error, not by a debugger.
 */
import { asMatrix, type DType, ShapeError, type Tensor } from '@saekit/core';
import { NaiveTensor } from './tensor.js';

/** The tensor as this backend's own (a tensor from another backend is a caller bug). */
export function own(kernel: string, arg: string, t: Tensor, dtype?: DType): NaiveTensor {
  if (!(t instanceof NaiveTensor)) {
    throw new ShapeError(
      `naive.${kernel}: '${arg}' belongs to backend '${t.backend}', not 'naive'`,
    );
  }
  if (dtype !== undefined && t.dtype !== dtype) {
    throw new ShapeError(`naive.${kernel}: '${arg}' must be ${dtype}, got ${t.dtype}`);
  }
  return t;
}

export function f32(kernel: string, arg: string, t: Tensor): Float32Array {
  return own(kernel, arg, t, 'float32').data as Float32Array;
}

export function i32(kernel: string, arg: string, t: Tensor): Int32Array {
  return own(kernel, arg, t, 'int32').data as Int32Array;
}

/** Rows and columns, as the contract reads tensors: a 1-D [n] is the row vector [1, n]. */
export function matrix(t: Tensor): [rows: number, cols: number] {
  return asMatrix(t);
}

export function expectShape(
  kernel: string,
  arg: string,
  t: Tensor,
  rows: number,
  cols: number,
): void {
  const [r, c] = matrix(t);
  if (r !== rows || c !== cols) {
    throw new ShapeError(
      `naive.${kernel}: '${arg}' must be [${rows}, ${cols}], got [${t.shape.join(', ')}]`,
    );
  }
}

export function expectSize(kernel: string, arg: string, t: Tensor, size: number): void {
  if (t.size !== size) {
    throw new ShapeError(
      `naive.${kernel}: '${arg}' must have ${size} elements, got ${t.size} ([${t.shape.join(', ')}])`,
    );
  }
}

export function expectOffset(kernel: string, t: Tensor, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset >= t.size) {
    throw new ShapeError(`naive.${kernel}: offset ${offset} is outside 'out' (${t.size} elements)`);
  }
}
