export type DType = 'float32' | 'int32';

export type HostArray = Float32Array | Int32Array;

/**
 * An opaque handle to memory a backend owns. Core never looks inside: it creates tensors,
 * passes them to kernels and reads them through the backend. Tensors are mutable storage
 * (kernels write into an `out` tensor), so a training step allocates nothing.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Number of elements: the product of `shape` (1 for a 0-d tensor). */
  readonly size: number;
  /** Name of the backend that owns this tensor. */
  readonly backend: string;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Rows and columns of a tensor read as a matrix: a 1-D tensor [n] is the row vector [1, n]. */
export function asMatrix(t: { readonly shape: readonly number[] }): [number, number] {
  if (t.shape.length === 1) return [1, t.shape[0]];
  if (t.shape.length === 2) return [t.shape[0], t.shape[1]];
  if (t.shape.length === 0) return [1, 1];
  const cols = t.shape[t.shape.length - 1];
  return [shapeSize(t.shape) / cols, cols];
}
