import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, WG, wgslType } from './common.js';

const shader = (t: 'f32' | 'i32') => ({
  kernel: 'fill',
  bindings: ['rw'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, value: ${t} }
@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i < p.n) { out[i] = p.value; }
}`,
});

export function fill(rt: GpuRuntime, out: Tensor, value: number): void {
  const o = gpu(out);
  if (value === 0 && !Object.is(value, -0)) {
    o.touch();
    rt.copies((enc) => enc.clearBuffer(o.buffer, 0, Math.ceil(o.byteLength / 4) * 4));
    return;
  }
  const t = wgslType(o);
  const p = params().u32(o.size);
  if (t === 'f32') p.f32(value);
  else p.i32(value);
  rt.dispatch(shader(t), [o], launch(rt, o.size), p);
}
