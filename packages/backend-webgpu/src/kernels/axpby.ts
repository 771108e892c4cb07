import { type Scale, ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import {
  aliasedDispatch,
  FLAT_INDEX,
  gpu,
  launch,
  matrix,
  scaleSource,
  scaleWgsl,
  WG,
  writeScale,
} from './common.js';

const STRUCT = /* wgsl */ `
struct P {
  n: u32, yLen: u32, _a: u32, _b: u32,
  aMode: u32, aNum: f32, aIndex: u32, aSqrt: u32, aHasMax: u32, aMax: f32, _c: u32, _d: u32,
  bMode: u32, bNum: f32, bIndex: u32, bSqrt: u32, bHasMax: u32, bMax: f32,
}`;

const BODY = /* wgsl */ `
${FLAT_INDEX}
${scaleWgsl('scaleA', 'srcA')}
${scaleWgsl('scaleB', 'srcB')}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  let a = scaleA(p.aMode, p.aNum, p.aIndex, p.aSqrt, p.aHasMax, p.aMax);
  let b = scaleB(p.bMode, p.bNum, p.bIndex, p.bSqrt, p.bHasMax, p.bMax);
  if (i >= p.n) { return; }
  out[i] = a * x[i] + b * y[i % p.yLen];
}`;

export function axpby(rt: GpuRuntime, out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
  const o = gpu(out);
  const xt = gpu(x);
  const yt = gpu(y);
  const [, cols] = matrix(xt);
  const broadcast = yt.size < xt.size && yt.size === cols;
  const p = params().u32(o.size).u32(Math.max(1, yt.size)).u32(0).u32(0);
  writeScale(p, a);
  p.u32(0).u32(0);
  writeScale(p, b);
  aliasedDispatch(
    rt,
    'axpby',
    [
      { name: 'out', kind: 'rw', type: 'f32', tensor: o },
      { name: 'x', kind: 'read', type: 'f32', tensor: xt },
      { name: 'y', kind: 'read', type: 'f32', tensor: yt },
      { name: 'srcA', kind: 'read', type: 'f32', tensor: scaleSource(a, xt) },
      { name: 'srcB', kind: 'read', type: 'f32', tensor: scaleSource(b, xt) },
    ],
    STRUCT,
    BODY,
    launch(rt, o.size),
    p,
  );
}
