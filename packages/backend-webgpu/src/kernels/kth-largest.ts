import { ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu } from './common.js';
import { RADIX_KEYS } from './radix.js';

/*
 * Radix select over the float bits of the whole tensor, 8 bits per pass: many workgroups
 * build a histogram of the next digit among the elements matching the prefix found so far,
 * then one invocation picks the digit holding the n-th largest. State in a scratch buffer:
 * [prefix, prefixMask, remaining, hist[256]].
 */
const HIST = {
  kernel: 'kthLargest',
  bindings: ['read', 'rw'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, shift: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> state: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> p: P;
var<workgroup> hist: array<atomic<u32>, 256>;
${RADIX_KEYS}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  atomicStore(&hist[tid], 0u);
  workgroupBarrier();
  let prefix = atomicLoad(&state[0]);
  let pmask = atomicLoad(&state[1]);
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < p.n; i += stride) {
    let v = x[i];
    if (isNan(v)) { continue; }
    let key = toKey(v);
    if ((key & pmask) == prefix) { atomicAdd(&hist[(key >> p.shift) & 255u], 1u); }
  }
  workgroupBarrier();
  let h = atomicLoad(&hist[tid]);
  if (h != 0u) { atomicAdd(&state[3u + tid], h); }
}`,
};

const SELECT = {
  kernel: 'kthLargest',
  bindings: ['rw', 'rw'] as const,
  params: true,
  code: /* wgsl */ `
struct P { mode: u32, shift: u32, n: u32, offset: u32 }
@group(0) @binding(0) var<storage, read_write> state: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
${RADIX_KEYS}
@compute @workgroup_size(1)
fn main() {
  if (p.mode == 0u) {
    state[0] = 0u; state[1] = 0u; state[2] = p.n;
  } else {
    var rem = state[2];
    var d = 255u;
    loop {
      let h = state[3u + d];
      if (h >= rem || d == 0u) { break; }
      rem -= h;
      d -= 1u;
    }
    state[0] = state[0] | (d << p.shift);
    state[1] = state[1] | (255u << p.shift);
    state[2] = rem;
    if (p.shift == 0u) { out[p.offset] = fromKey(state[0]); }
  }
  for (var i = 0u; i < 256u; i++) { state[3u + i] = 0u; }
}`,
};

export function kthLargest(
  rt: GpuRuntime,
  out: Tensor,
  offset: number,
  x: Tensor,
  n: number,
): void {
  const o = gpu(out);
  const xt = gpu(x);
  const state = rt.scratch('kthLargest', (3 + 256) * 4);
  const groups = Math.min(1024, Math.ceil(xt.size / (256 * 16)));
  rt.dispatch(SELECT, [state, o], [1], params().u32(0).u32(0).u32(n).u32(offset));
  for (let shift = 24; shift >= 0; shift -= 8) {
    rt.dispatch(HIST, [xt, state], [groups], params().u32(xt.size).u32(shift));
    rt.dispatch(SELECT, [state, o], [1], params().u32(1).u32(shift).u32(n).u32(offset));
  }
}
