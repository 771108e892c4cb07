import { ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { atomicAddF32 } from './atomicFloat.js';
import { expectDtype, gpu, matrix } from './common.js';
import { sparseShapes } from './sparseShapes.js';

// One workgroup per (row, slot) adds values[b, j] · x[b] into weight row indices[b, j];
// rows chosen by several slots (duplicates) meet in the compare-exchange loop.
const SHADER = {
  kernel: 'scatterOuterAdd',
  bindings: ['rw', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { pairs: u32, k: u32, d: u32 }
@group(0) @binding(0) var<storage, read_write> w: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> vals: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
${atomicAddF32('w')}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let pair = wid.x + wid.y * nwg.x;
  if (pair >= p.pairs) { return; }
  let i = idx[pair];
  let v = vals[pair];
  if (i < 0 || v == 0.0) { return; }
  let wr = u32(i) * p.d;
  let xr = (pair / p.k) * p.d;
  for (var c = tid; c < p.d; c += 256u) { atomicAddF32(wr + c, v * x[xr + c]); }
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
    rt.grid(B * k),
    params()
      .u32(B * k)
      .u32(k)
      .u32(d),
  );
}
