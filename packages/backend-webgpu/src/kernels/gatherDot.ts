import type { Tensor } from '@saekit/core';
import { ShapeError } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { expectDtype, expectSize, gpu, matrix } from './common.js';
import { sparseShapes } from './sparseShapes.js';

// One workgroup of 64 per (row, slot): a strided dot product reduced in workgroup memory.
const SHADER = {
  kernel: 'gatherDot',
  bindings: ['rw', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { pairs: u32, k: u32, d: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let pair = wid.x + wid.y * nwg.x;
  if (pair >= p.pairs) { return; }
  let i = idx[pair];
  let b = pair / p.k;
  var acc = 0.0;
  if (i >= 0) {
    let wr = u32(i) * p.d;
    let xr = b * p.d;
    for (var c = tid; c < p.d; c += 64u) { acc += x[xr + c] * w[wr + c]; }
  }
  part[tid] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (tid < s) { part[tid] += part[tid + s]; }
    workgroupBarrier();
  }
  if (tid == 0u) { out[pair] = part[0]; }
}`,
};

export function gatherDot(
  rt: GpuRuntime,
  out: Tensor,
  x: Tensor,
  indices: Tensor,
  weight: Tensor,
): void {
  const o = gpu(out, 'gatherDot', 'out');
  const xt = gpu(x, 'gatherDot', 'x');
  const ix = gpu(indices, 'gatherDot', 'indices');
  const w = gpu(weight, 'gatherDot', 'weight');
  const { B, k, d } = sparseShapes('gatherDot', null, ix, w);
  expectDtype(o, 'float32', 'gatherDot', 'out');
  expectDtype(xt, 'float32', 'gatherDot', 'x');
  expectSize(o, B * k, 'gatherDot', 'out');
  const [xr, xc] = matrix(xt);
  if (xr !== B || xc !== d) {
    throw new ShapeError(`webgpu gatherDot: x is [${xr}, ${xc}], expected [${B}, ${d}]`);
  }
  rt.dispatch(
    SHADER,
    [o, xt, ix, w],
    rt.grid(B * k),
    params()
      .u32(B * k)
      .u32(k)
      .u32(d),
  );
}
