import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu, matrix } from './common.js';
import { WORKGROUP_SUM } from './row-ops.js';

const SHADER = {
  kernel: 'removeParallel',
  path: 'workgroup',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read_write> g: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
${WORKGROUP_SUM}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  var acc = 0.0;
  for (var c = tid; c < p.cols; c += 256u) { acc += g[base + c] * w[base + c]; }
  let dot = workgroupSum(tid, acc);
  for (var c = tid; c < p.cols; c += 256u) { g[base + c] = g[base + c] - dot * w[base + c]; }
}`,
};

// CPU adapters: one invocation per row, no barriers (see topk-rows.ts for why).
const ROW_SHADER = {
  ...SHADER,
  path: 'row',
  code: /* wgsl */ `
struct P { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read_write> g: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  var dot = 0.0;
  for (var c = 0u; c < p.cols; c++) { dot += g[base + c] * w[base + c]; }
  for (var c = 0u; c < p.cols; c++) { g[base + c] = g[base + c] - dot * w[base + c]; }
}`,
};

export function removeParallel(rt: GpuRuntime, grad: Tensor, weight: Tensor): void {
  const g = gpu(grad);
  const w = gpu(weight);
  const [rows, cols] = matrix(g);
  rt.dispatch(
    rt.software ? ROW_SHADER : SHADER,
    [g, w],
    rt.software ? rt.grid(Math.ceil(rows / 64)) : rt.grid(rows),
    params().u32(rows).u32(cols),
  );
}
