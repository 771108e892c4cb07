import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, WG, wgslType } from './common.js';

const shader = (t: 'f32' | 'i32') => ({
  kernel: 'greaterThan',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, threshold: f32 }
@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = select(${t}(0), ${t}(1), x[i] > p.threshold);
}`,
});

export function greaterThan(rt: GpuRuntime, out: Tensor, x: Tensor, threshold: number): void {
  const o = gpu(out);
  const xt = gpu(x);
  rt.dispatch(
    shader(wgslType(o)),
    [o, xt],
    launch(rt, o.size),
    params().u32(o.size).f32(threshold),
  );
}
