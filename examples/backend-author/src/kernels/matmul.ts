import type { MatmulOptions, Tensor } from '@saekit/core';
import { f32, matrix } from '../host.js';

/**
 * out = alpha · op(a) · op(b) + bias [+ out]. The textbook triple loop with a float64
 * accumulator: slow, and easy to believe.
 */
export function matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
  const { transA = false, transB = false, bias, alpha = 1, accumulate = false } = options;
  const A = f32(a);
  const B = f32(b);
  const O = f32(out);
  const [aRows, aCols] = matrix(a);
  const [bRows, bCols] = matrix(b);
  const [M, K] = transA ? [aCols, aRows] : [aRows, aCols];
  const N = transB ? bRows : bCols;
  const bias_ = bias === undefined ? undefined : f32(bias);

  // op(x)[i, j] read straight from row-major storage.
  const at = (i: number, k: number) => (transA ? A[k * aCols + i] : A[i * aCols + k]);
  const bt = (k: number, j: number) => (transB ? B[j * bCols + k] : B[k * bCols + j]);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += at(i, k) * bt(k, j);
      let v = alpha * acc;
      if (bias_) v += bias_[j];
      if (accumulate) v += O[i * N + j];
      O[i * N + j] = v;
    }
  }
}
