import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params, type ShaderSpec } from '../runtime.js';
import { FLAT_INDEX, gpu, launch, sparseDims, WG } from './common.js';

// One invocation per (row, slot) walks the whole dot product: no barriers, full workgroups
// whatever d is (llvmpipe pays per workgroup and per barrier; a GPU has B·k invocations).
const SHADER = {
  kernel: 'gatherDot',
  path: 'thread',
  bindings: ['rw', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { pairs: u32, k: u32, d: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let pair = flatIndex(gid, nwg);
  if (pair >= p.pairs) { return; }
  let i = idx[pair];
  var acc = 0.0;
  if (i >= 0) {
    let wr = u32(i) * p.d;
    let xr = (pair / p.k) * p.d;
    for (var c = 0u; c < p.d; c++) { acc += x[xr + c] * w[wr + c]; }
  }
  out[pair] = acc;
}`,
};

/*
 * GPUs: a group of 32 lanes per (row, slot) pair reads the two rows as vec4 (coalesced: the
 * lanes of a warp touch consecutive addresses) and reduces the 32 partial dots. With the
 * 'subgroups' feature the reduction is a butterfly of subgroup shuffles, which needs each
 * group inside one subgroup: groups are then as wide as the adapter's smallest subgroup (at
 * most 32), and lanes are assumed to be numbered in local-index order within a subgroup, as
 * on every implementation we know of. Without subgroups it goes through workgroup memory.
 */
function groupLanes(rt: GpuRuntime): number {
  return rt.subgroups === null ? 32 : Math.min(32, rt.subgroups.min);
}

const groupShaders = new Map<string, ShaderSpec>();

function groupShader(lanes: number, subgroups: boolean, vec4: boolean): ShaderSpec {
  const key = `${lanes}/${subgroups}/${vec4}`;
  let sh = groupShaders.get(key);
  if (sh) return sh;
  const dot = vec4
    ? `for (var c = lane; c < p.d / 4u; c += L) { acc += dot(x4[xr / 4u + c], w4[wr / 4u + c]); }`
    : `for (var c = lane; c < p.d; c += L) { acc += x[xr + c] * w[wr + c]; }`;
  const reduce = subgroups
    ? `for (var off = L / 2u; off > 0u; off >>= 1u) { acc += subgroupShuffleXor(acc, off); }`
    : `red[tid] = acc;
  workgroupBarrier();
  for (var s = L / 2u; s > 0u; s >>= 1u) {
    if (lane < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  acc = red[tid];`;
  sh = {
    kernel: 'gatherDot',
    path: 'lanes',
    bindings: ['rw', 'read', 'read', 'read'],
    params: true,
    code: /* wgsl */ `${subgroups ? 'enable subgroups;' : ''}
struct P { pairs: u32, k: u32, d: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> ${vec4 ? 'x4: array<vec4<f32>>' : 'x: array<f32>'};
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> ${vec4 ? 'w4: array<vec4<f32>>' : 'w: array<f32>'};
@group(0) @binding(4) var<uniform> p: P;
const L: u32 = ${lanes}u;
${subgroups ? '' : 'var<workgroup> red: array<f32, 256>;'}
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let pair = flatGroup(wid, nwg) * (256u / L) + tid / L;
  let lane = tid % L;
  var acc = 0.0;
  if (pair < p.pairs) {
    let i = idx[pair];
    if (i >= 0) {
      let wr = u32(i) * p.d;
      let xr = (pair / p.k) * p.d;
      ${dot}
    }
  }
  // Every lane reaches the reduction (no early return), as shuffles and barriers require.
  ${reduce}
  if (lane == 0u && pair < p.pairs) { out[pair] = acc; }
}`,
  };
  groupShaders.set(key, sh);
  return sh;
}

export function gatherDot(
  rt: GpuRuntime,
  out: Tensor,
  x: Tensor,
  indices: Tensor,
  weight: Tensor,
): void {
  const o = gpu(out);
  const xt = gpu(x);
  const ix = gpu(indices);
  const w = gpu(weight);
  const { B, k, d } = sparseDims(ix, w);
  const p = params()
    .u32(B * k)
    .u32(k)
    .u32(d);
  if (rt.software) {
    rt.dispatch(SHADER, [o, xt, ix, w], launch(rt, B * k), p);
    return;
  }
  const lanes = groupLanes(rt);
  const sh = groupShader(lanes, rt.subgroups !== null, d % 4 === 0);
  rt.dispatch(sh, [o, xt, ix, w], rt.grid(Math.ceil((B * k * lanes) / 256)), p);
}
