import type { Tensor } from '@saekit/core';
import type { Binding, GpuRuntime } from '../runtime.js';
import { gpu, matrix } from './common.js';
import { encodeGemv, type Label } from './gemv.js';

/** out[c] = scale · Σ_r x[r, c] (+ out[c]); also used for column means by `reduce`. */
export function encodeColumnSums(
  rt: GpuRuntime,
  label: Label,
  out: Binding,
  x: Binding,
  rows: number,
  cols: number,
  accumulate: boolean,
  scale: number,
): void {
  encodeGemv(rt, label, out, null, x, cols, rows, false, { alpha: scale, bias: null, accumulate });
}

export function columnSums(rt: GpuRuntime, out: Tensor, x: Tensor, accumulate = false): void {
  const o = gpu(out);
  const xt = gpu(x);
  const [rows, cols] = matrix(xt);
  encodeColumnSums(rt, { kernel: 'columnSums' }, o, xt, rows, cols, accumulate, 1);
}
