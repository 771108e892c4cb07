import type { Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/** One dense product, out = alpha · op(a) · op(b) (+ bias row) (+ out), with its sizes. */
export interface Product {
  /** a and b as stored (rows, columns), and op's result sizes. */
  readonly ar: number;
  readonly ac: number;
  readonly br: number;
  readonly bc: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly alpha: number;
  readonly accumulate: boolean;
  readonly bias?: Tensor;
}

/**
 * Who runs the dense products: a CBLAS library over the heap in place (gemm/cblas.ts), or
 * ORT's MLAS through staging copies (gemm/ort.ts). The backend picks one at creation.
 */
export interface GemmProvider {
  /** 'cblas' or 'mlas': the descriptor's variant. */
  readonly variant: 'cblas' | 'mlas';
  /** For the descriptor's device string, e.g. 'OpenBLAS 0.3.21 (libopenblas.so.0)'. */
  readonly label: string;
  run(ctx: OrtContext, out: Tensor, a: Tensor, b: Tensor, p: Product): void;
  destroy(): void;
}

/** out[r] += bias for every row: the rare product that has both a bias and accumulate. */
export function addBiasRows(out: Float32Array, bias: Float32Array, M: number, N: number): void {
  for (let r = 0; r < M; r++) {
    const base = r * N;
    for (let j = 0; j < N; j++) out[base + j] += bias[j];
  }
}
