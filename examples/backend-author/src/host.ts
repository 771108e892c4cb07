/**
 * Typed access to tensor memory. saekit validates every kernel call (shapes, dtypes, aliasing,
 * ownership) before a kernel runs, so a kernel only reaches for its arrays.
 */
import { asMatrix, type Tensor } from '@saekit/core';
import type { NaiveTensor } from './tensor.js';

export const own = (t: Tensor): NaiveTensor => t as NaiveTensor;
export const f32 = (t: Tensor): Float32Array => own(t).data as Float32Array;
export const i32 = (t: Tensor): Int32Array => own(t).data as Int32Array;

/** Rows and columns, as the contract reads tensors: a 1-D [n] is the row vector [1, n]. */
export const matrix = (t: Tensor): [rows: number, cols: number] => asMatrix(t);
