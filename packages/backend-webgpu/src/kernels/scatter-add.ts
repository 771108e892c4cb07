import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { atomicAddF32 } from './atomic-float.js';
import { FLAT_INDEX, gpu, launch, WG } from './common.js';

const SHADER = {
  kernel: 'scatterAdd',
  bindings: ['rw', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> vals: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
${FLAT_INDEX}
${atomicAddF32('out')}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  if (t >= p.n) { return; }
  let i = idx[t];
  // Zeros (inactive slots) change nothing: skip their compare-exchange loop.
  let v = vals[t];
  if (i >= 0 && v != 0.0) { atomicAddF32(u32(i), v); }
}`,
};

export function scatterAdd(rt: GpuRuntime, out: Tensor, indices: Tensor, values: Tensor): void {
  const o = gpu(out);
  const ix = gpu(indices);
  const v = gpu(values);
  rt.dispatch(SHADER, [o, ix, v], launch(rt, ix.size), params().u32(ix.size));
}
