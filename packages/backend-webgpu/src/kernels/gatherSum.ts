import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { expectDtype, expectSize, gpu } from './common.js';
import { sparseShapes } from './sparseShapes.js';

// One workgroup per output row; each invocation owns columns and walks the row's k slots,
// so the weight rows are read coalesced and nothing is accumulated across invocations.
const SHADER = {
  kernel: 'gatherSum',
  bindings: ['rw', 'read', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { B: u32, k: u32, d: u32, hasBias: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> vals: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= p.B) { return; }
  for (var col = tid; col < p.d; col += 256u) {
    var acc = 0.0;
    if (p.hasBias != 0u) { acc = bias[col]; }
    for (var j = 0u; j < p.k; j++) {
      let i = idx[b * p.k + j];
      if (i >= 0) { acc += vals[b * p.k + j] * w[u32(i) * p.d + col]; }
    }
    out[b * p.d + col] = acc;
  }
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
  const o = gpu(out, 'gatherSum', 'out');
  const v = gpu(values, 'gatherSum', 'values');
  const ix = gpu(indices, 'gatherSum', 'indices');
  const w = gpu(weight, 'gatherSum', 'weight');
  const { B, k, d } = sparseShapes('gatherSum', v, ix, w);
  expectDtype(o, 'float32', 'gatherSum', 'out');
  expectSize(o, B * d, 'gatherSum', `out (for [${B}, ${d}])`);
  const bt = bias ? gpu(bias, 'gatherSum', 'bias') : null;
  if (bt) expectSize(bt, d, 'gatherSum', 'bias');
  rt.dispatch(
    SHADER,
    [o, v, ix, w, bt ?? w],
    rt.grid(B),
    params()
      .u32(B)
      .u32(k)
      .u32(d)
      .u32(bt ? 1 : 0),
  );
}
