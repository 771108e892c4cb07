import type { ReduceOp, Tensor } from '@saekit/core';
import { type Binding, type GpuRuntime, params } from '../runtime.js';
import { encodeColumnSums } from './column-sums.js';
import { gpu, matrix } from './common.js';

const OPS: Record<ReduceOp, number> = { sum: 0, sumSquares: 1, sumSquaresCentered: 2 };

// Two stages: many workgroups write partial sums (tree-reduced in workgroup memory), one
// workgroup adds the partials. 'sumSquaresCentered' first computes the column means.
const PARTIALS = {
  kernel: 'reduce',
  bindings: ['read', 'read', 'rw'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, cols: u32, op: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < p.n; i += stride) {
    var v = x[i];
    if (p.op == 2u) { v -= means[i % p.cols]; }
    if (p.op != 0u) { v *= v; }
    acc += v;
  }
  part[tid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (tid < s) { part[tid] += part[tid + s]; }
    workgroupBarrier();
  }
  if (tid == 0u) { partial[wid.x] = part[0]; }
}`,
};

const FINISH = {
  kernel: 'reduce',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { count: u32, offset: u32, accumulate: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = tid; i < p.count; i += 256u) { acc += partial[i]; }
  part[tid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (tid < s) { part[tid] += part[tid + s]; }
    workgroupBarrier();
  }
  if (tid == 0u) {
    var v = part[0];
    if (p.accumulate != 0u) { v += out[p.offset]; }
    out[p.offset] = v;
  }
}`,
};

export function reduce(
  rt: GpuRuntime,
  out: Tensor,
  offset: number,
  x: Tensor,
  op: ReduceOp,
  accumulate = false,
): void {
  const o = gpu(out);
  const xt = gpu(x);
  const [rows, cols] = matrix(xt);
  const groups = Math.max(1, Math.min(1024, Math.ceil(xt.size / (256 * 8))));
  const partial = rt.scratch('reduce.partial', groups * 4);
  let means: Binding = xt; // unread unless centred; any read-only binding will do
  if (op === 'sumSquaresCentered') {
    means = rt.scratch('reduce.means', cols * 4);
    encodeColumnSums(
      rt,
      { kernel: 'reduce' },
      means,
      xt,
      rows,
      cols,
      false,
      rows > 0 ? 1 / rows : 0,
    );
  }
  rt.dispatch(
    PARTIALS,
    [xt, means, partial],
    [groups],
    params().u32(xt.size).u32(Math.max(1, cols)).u32(OPS[op]),
  );
  rt.dispatch(
    FINISH,
    [o, partial],
    [1],
    params()
      .u32(groups)
      .u32(offset)
      .u32(accumulate ? 1 : 0),
  );
}
