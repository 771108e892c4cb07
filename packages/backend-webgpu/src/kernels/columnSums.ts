import type { Tensor } from '@saekit/core';
import type { Binding } from '../runtime.js';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu, matrix, WG } from './common.js';

// One invocation per column walks the rows: neighbouring invocations read neighbouring
// addresses and each sum keeps the row order.
export const COLUMN_SUMS = {
  kernel: 'columnSums',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { rows: u32, cols: u32, accumulate: u32, scale: f32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.cols) { return; }
  var acc = 0.0;
  for (var r = 0u; r < p.rows; r++) { acc += x[r * p.cols + c]; }
  acc *= p.scale;
  if (p.accumulate != 0u) { acc += out[c]; }
  out[c] = acc;
}`,
};

/** out[c] = scale · Σ_r x[r, c] (+ out[c]); also used for column means by `reduce`. */
export function encodeColumnSums(
  rt: GpuRuntime,
  out: Binding,
  x: Binding,
  rows: number,
  cols: number,
  accumulate: boolean,
  scale: number,
): void {
  const groups = Math.ceil(cols / WG);
  rt.dispatch(
    COLUMN_SUMS,
    [out, x],
    [groups],
    params()
      .u32(rows)
      .u32(cols)
      .u32(accumulate ? 1 : 0)
      .f32(scale),
  );
}

export function columnSums(rt: GpuRuntime, out: Tensor, x: Tensor, accumulate = false): void {
  const o = gpu(out);
  const xt = gpu(x);
  const [rows, cols] = matrix(xt);
  encodeColumnSums(rt, o, xt, rows, cols, accumulate, 1);
}
