import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { aliasedDispatch, FLAT_INDEX, gpu, launch, WG } from './common.js';

// WGSL's exp leaves the result unspecified where it overflows and may lose all accuracy in the
// subnormal range, so the contract's edges are set explicitly: +∞ above ln(float32 max) (the
// next float32 above 88.72283 already overflows), 0 below ln(smallest normal), and exactly 1
// at ±0. +∞ comes in through the uniform: a constant +∞ is a shader-creation error in WGSL.
const BODY = /* wgsl */ `
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let v = src[i];
  var r = exp(v);
  if (v > 88.72283) { r = bitcast<f32>(p.infBits); }
  if (v < -87.33654) { r = 0.0; }
  if (v == 0.0) { r = 1.0; }
  out[i] = r;
}`;

const INF_BITS = 0x7f800000;

/** out = eˣ; out may alias x. */
export function exp(rt: GpuRuntime, out: Tensor, x: Tensor): void {
  const o = gpu(out);
  const s = gpu(x);
  aliasedDispatch(
    rt,
    'exp',
    [
      { name: 'out', kind: 'rw', type: 'f32', tensor: o },
      { name: 'src', kind: 'read', type: 'f32', tensor: s },
    ],
    'struct P { n: u32, infBits: u32 }',
    BODY,
    launch(rt, o.size),
    params().u32(o.size).u32(INF_BITS),
  );
}
