import type { Tensor } from '@saekit/core';
import { ShapeError } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, matrix, WG } from './common.js';
import { sparseDims } from './common.js';

// One invocation per (row, slot) walks the whole dot product: no barriers, full workgroups
// whatever d is (llvmpipe pays per workgroup and per barrier; a GPU has B·k invocations).
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
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let pair = flatIndex(gid, nwg);
  if (pair >= p.pairs) { return; }
  let i = idx[pair];
  var acc = 0.0;
  if (i >= 0) {
    let wr = u32(i) * p.d;
    let xr = (pair / p.k) * p.d;
    for (var c = 0u; c < p.d; c++) { acc += x[xr + c] * w[wr + c]; }
  }
  out[pair] = acc;
}`,
};

export function gatherDot(
  rt: GpuRuntime,
  out: Tensor,
  x: Tensor,
  indices: Tensor,
  weight: Tensor,
): void {
  const o = gpu(out);
  const xt = gpu(x);
  const ix = gpu(indices);
  const w = gpu(weight);
  const { B, k, d } = sparseDims(ix, w);
  rt.dispatch(
    SHADER,
    [o, xt, ix, w],
    launch(rt, B * k),
    params()
      .u32(B * k)
      .u32(k)
      .u32(d),
  );
}
