import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, sparseDims, WG } from './common.js';

// One invocation per output element walks its row's k slots: weight rows are read coalesced
// across neighbouring columns, nothing is accumulated across invocations, and workgroups are
// full even when d is small.
const SHADER = {
  kernel: 'gatherSum',
  bindings: ['rw', 'read', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, k: u32, d: u32, hasBias: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> vals: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.n) { return; }
  let b = e / p.d;
  let col = e % p.d;
  var acc = 0.0;
  if (p.hasBias != 0u) { acc = bias[col]; }
  for (var j = 0u; j < p.k; j++) {
    let i = idx[b * p.k + j];
    if (i >= 0) { acc += vals[b * p.k + j] * w[u32(i) * p.d + col]; }
  }
  out[e] = acc;
}`,
};

export function gatherSum(
  rt: GpuRuntime,
  out: Tensor,
  values: Tensor,
  indices: Tensor,
  weight: Tensor,
  bias?: Tensor,
): void {
  const o = gpu(out);
  const v = gpu(values);
  const ix = gpu(indices);
  const w = gpu(weight);
  const { B, k, d } = sparseDims(ix, w);
  const bt = bias ? gpu(bias) : null;
  rt.dispatch(
    SHADER,
    [o, v, ix, w, bt ?? rt.placeholder()],
    launch(rt, B * d),
    params()
      .u32(B * d)
      .u32(k)
      .u32(d)
      .u32(bt ? 1 : 0),
  );
}
