import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, WG, wgslType } from './common.js';

const shader = (c: 'f32' | 'i32', f: 'f32' | 'i32') => ({
  kernel: 'staleCounter',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, increment: ${c} }
@group(0) @binding(0) var<storage, read_write> counter: array<${c}>;
@group(0) @binding(1) var<storage, read> fired: array<${f}>;
@group(0) @binding(2) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  counter[i] = select(counter[i] + p.increment, ${c}(0), fired[i] > ${f}(0));
}`,
});

export function staleCounter(
  rt: GpuRuntime,
  counter: Tensor,
  fired: Tensor,
  increment: number,
): void {
  const c = gpu(counter);
  const f = gpu(fired);
  const ct = wgslType(c);
  const p = params().u32(c.size);
  if (ct === 'f32') p.f32(increment);
  else p.i32(increment);
  rt.dispatch(shader(ct, wgslType(f)), [c, f], launch(rt, c.size), p);
}
