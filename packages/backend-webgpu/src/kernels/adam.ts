import type { AdamOptions, Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import {
  aliasedDispatch,
  FLAT_INDEX,
  gpu,
  launch,
  scaleSource,
  scaleWgsl,
  WG,
  writeScale,
} from './common.js';

const STRUCT = /* wgsl */ `
struct P {
  n: u32, lr: f32, beta1: f32, beta2: f32,
  eps: f32, bc1: f32, bc2: f32, _a: u32,
  sMode: u32, sNum: f32, sIndex: u32, sSqrt: u32, sHasMax: u32, sMax: f32,
}`;

const BODY = /* wgsl */ `
${FLAT_INDEX}
${scaleWgsl('gradScale', 'src')}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  let s = gradScale(p.sMode, p.sNum, p.sIndex, p.sSqrt, p.sHasMax, p.sMax);
  if (i >= p.n) { return; }
  let g = s * grad[i];
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = param[i] - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps);
}`;

export function adam(
  rt: GpuRuntime,
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  o: AdamOptions,
): void {
  const ts = [
    [gpu(param), 'param'],
    [gpu(grad), 'grad'],
    [gpu(m), 'm'],
    [gpu(v), 'v'],
  ] as const;
  for (const [t, n] of ts) {
  }
  const scale = o.gradScale ?? 1;
  const p = params()
    .u32(param.size)
    .f32(o.lr)
    .f32(o.beta1)
    .f32(o.beta2)
    .f32(o.eps)
    .f32(1 - o.beta1 ** o.step)
    .f32(1 - o.beta2 ** o.step)
    .u32(0);
  writeScale(p, scale);
  const [pt, gt, mt, vt] = ts.map(([t]) => t);
  aliasedDispatch(
    rt,
    'adam',
    [
      { name: 'param', kind: 'rw', type: 'f32', tensor: pt },
      { name: 'grad', kind: 'read', type: 'f32', tensor: gt },
      { name: 'm', kind: 'rw', type: 'f32', tensor: mt },
      { name: 'v', kind: 'rw', type: 'f32', tensor: vt },
      { name: 'src', kind: 'read', type: 'f32', tensor: scaleSource(scale, gt) },
    ],
    STRUCT,
    BODY,
    launch(rt, param.size),
    p,
  );
}
