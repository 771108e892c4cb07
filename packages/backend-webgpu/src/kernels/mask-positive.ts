import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { aliasedDispatch, FLAT_INDEX, gpu, launch, WG } from './common.js';

const BODY = /* wgsl */ `
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = select(0.0, grad[i], refv[i] > 0.0);
}`;

export function maskPositive(rt: GpuRuntime, out: Tensor, grad: Tensor, ref: Tensor): void {
  const o = gpu(out);
  const g = gpu(grad);
  const r = gpu(ref);
  aliasedDispatch(
    rt,
    'maskPositive',
    [
      { name: 'out', kind: 'rw', type: 'f32', tensor: o },
      { name: 'grad', kind: 'read', type: 'f32', tensor: g },
      { name: 'refv', kind: 'read', type: 'f32', tensor: r },
    ],
    'struct P { n: u32 }',
    BODY,
    launch(rt, o.size),
    params().u32(o.size),
  );
}
