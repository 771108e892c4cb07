import { ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { atomicAddF32 } from './atomicFloat.js';
import { expectDtype, FLAT_INDEX, gpu, launch, matrix, WG } from './common.js';
import { sparseShapes } from './sparseShapes.js';

// One invocation per (row, slot, column) adds values[b, j] · x[b, c] into weight row
// indices[b, j]; rows chosen by several slots (duplicates) meet in the compare-exchange loop.
const SHADER = {
  kernel: 'scatterOuterAdd',
  bindings: ['rw', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, k: u32, d: u32 }
@group(0) @binding(0) var<storage, read_write> w: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> vals: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
${FLAT_INDEX}
${atomicAddF32('w')}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.n) { return; }
  let pair = e / p.d;
  let c = e % p.d;
  let i = idx[pair];
  let v = vals[pair];
  if (i < 0 || v == 0.0) { return; }
  atomicAddF32(u32(i) * p.d + c, v * x[(pair / p.k) * p.d + c]);
}`,
};

export function scatterOuterAdd(
  rt: GpuRuntime,
  weight: Tensor,
  indices: Tensor,
  values: Tensor,
  x: Tensor,
): void {
  const w = gpu(weight, 'scatterOuterAdd', 'weight');
  const ix = gpu(indices, 'scatterOuterAdd', 'indices');
  const v = gpu(values, 'scatterOuterAdd', 'values');
  const xt = gpu(x, 'scatterOuterAdd', 'x');
  const { B, k, d } = sparseShapes('scatterOuterAdd', v, ix, w);
  expectDtype(xt, 'float32', 'scatterOuterAdd', 'x');
  const [xr, xc] = matrix(xt);
  if (xr !== B || xc !== d) {
    throw new ShapeError(`webgpu scatterOuterAdd: x is [${xr}, ${xc}], expected [${B}, ${d}]`);
  }
  rt.dispatch(
    SHADER,
    [w, ix, v, xt],
    launch(rt, B * k * d),
    params()
      .u32(B * k * d)
      .u32(k)
      .u32(d),
  );
}
