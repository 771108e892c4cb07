import type { Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import type { GpuTensor } from '../tensor.js';
import { FLAT_INDEX, gpu, launch, sparseDims, WG } from './common.js';

/*
 * weight[indices[b, j]] += values[b, j] · x[b], grouped by latent instead of float atomics:
 * count the slots per latent (integer atomics), prefix-sum the counts, list each latent's
 * slots, then sum the list in fixed-size chunks. The list depends on the indices only, so
 * the W_dec and W_enc calls of one step (same indices, different values) build it once.
 *
 * Chunks: the list (sorted by latent) is cut into pieces of C slots and invocation
 * (chunk, column) sums its piece, so a latent picked 4096 times (AuxK on a few dead latents)
 * is summed by many invocations instead of one walking 4096 slots. A latent wholly inside
 * one chunk is added there; one that crosses chunk boundaries is finished by a segmented
 * reduction: each chunk stores the partial sum of the latent it starts with when that latent
 * began earlier ("head"), and the chunk where the latent begins adds its own part and the
 * following chunks' heads. Every weight element is written by exactly one invocation, so no
 * float atomics; the order of slots within a latent follows integer-atomic arrival, so sums
 * are exact up to float summation order.
 */
const COUNT = {
  kernel: 'scatterOuterAdd.count',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { pairs: u32 }
@group(0) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.pairs) { return; }
  let i = idx[e];
  if (i >= 0) { atomicAdd(&counts[u32(i)], 1u); }
}`,
};

// Exclusive prefix sum over blocks of 256 counts, one workgroup per block: each workgroup
// first adds up all the counts before its block itself (b·256 reads shared by 256
// invocations), then scans its block. No workgroup waits for another, so one dispatch and
// m / 256 workgroups; the redundant reads are O(m² / 512), small for SAE widths.
const SCAN = {
  kernel: 'scatterOuterAdd.scan',
  bindings: ['rw', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { m: u32 }
@group(0) @binding(0) var<storage, read_write> offsets: array<u32>;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<uniform> p: P;
var<workgroup> part: array<u32, 256>;
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let block = flatGroup(wid, nwg);
  let start = block * 256u;
  var before = 0u;
  for (var i = tid; i < start; i += 256u) { before += counts[i]; }
  part[tid] = before;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (tid < s) { part[tid] += part[tid + s]; }
    workgroupBarrier();
  }
  let base = part[0];
  workgroupBarrier();
  let at = start + tid;
  var c = 0u;
  if (at < p.m) { c = counts[at]; }
  part[tid] = c;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off <<= 1u) {
    var v = part[tid];
    if (tid >= off) { v += part[tid - off]; }
    workgroupBarrier();
    part[tid] = v;
    workgroupBarrier();
  }
  if (at < p.m) { offsets[at] = base + part[tid] - c; }
}`,
};

const LIST = {
  kernel: 'scatterOuterAdd.list',
  bindings: ['rw', 'rw', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { pairs: u32 }
@group(0) @binding(0) var<storage, read_write> list: array<u32>;
@group(0) @binding(1) var<storage, read_write> cursor: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> idx: array<i32>;
@group(0) @binding(4) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.pairs) { return; }
  let i = idx[e];
  if (i < 0) { return; }
  list[offsets[u32(i)] + atomicAdd(&cursor[u32(i)], 1u)] = e;
}`,
};

// Shared by both chunk passes: the bindings and the sum of one latent's slots in [lo, hi).
const CHUNK_COMMON = /* wgsl */ `
struct P { chunks: u32, chunk: u32, k: u32, d: u32, m: u32 }
@group(0) @binding(0) var<storage, read_write> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> head: array<f32>;
@group(0) @binding(2) var<storage, read> counts: array<u32>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read> list: array<u32>;
@group(0) @binding(5) var<storage, read> idx: array<i32>;
@group(0) @binding(6) var<storage, read> vals: array<f32>;
@group(0) @binding(7) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<uniform> p: P;
${FLAT_INDEX}
fn slotSum(lo: u32, hi: u32, col: u32) -> f32 {
  var acc = 0.0;
  for (var q = lo; q < hi; q++) {
    let pair = list[q];
    let v = vals[pair];
    // Zero values (inactive or masked slots) skip the read of x.
    if (v != 0.0) { acc += v * x[(pair / p.k) * p.d + col]; }
  }
  return acc;
}
fn listLength() -> u32 { return offsets[p.m - 1u] + counts[p.m - 1u]; }
`;

const CHUNK_SUMS = {
  kernel: 'scatterOuterAdd',
  bindings: ['rw', 'rw', 'read', 'read', 'read', 'read', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `${CHUNK_COMMON}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.chunks * p.d) { return; }
  let c = e / p.d;
  let col = e % p.d;
  let s = c * p.chunk;
  let total = listLength();
  if (s >= total) { return; }
  let end = min(s + p.chunk, total);
  var pos = s;
  loop {
    if (pos >= end) { break; }
    let latent = u32(idx[list[pos]]);
    let segStart = offsets[latent];
    let segEnd = segStart + counts[latent];
    let stop = min(segEnd, end);
    if (segStart < s) {
      // Began in an earlier chunk: its owner adds this part.
      head[c * p.d + col] = slotSum(pos, stop, col);
    } else if (segEnd <= end) {
      let at = latent * p.d + col;
      w[at] = w[at] + slotSum(pos, stop, col);
    }
    // else: continues past this chunk; added by the second pass (this chunk owns it).
    pos = stop;
  }
}`,
};

const CHUNK_FINISH = {
  kernel: 'scatterOuterAdd',
  bindings: CHUNK_SUMS.bindings,
  params: true,
  code: /* wgsl */ `${CHUNK_COMMON}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= p.chunks * p.d) { return; }
  let c = e / p.d;
  let col = e % p.d;
  let s = c * p.chunk;
  let total = listLength();
  if (s >= total) { return; }
  let end = min(s + p.chunk, total);
  let latent = u32(idx[list[end - 1u]]);
  let segStart = offsets[latent];
  let segEnd = segStart + counts[latent];
  if (segStart < s || segEnd <= end) { return; }
  var acc = slotSum(segStart, end, col);
  var c2 = c + 1u;
  loop {
    acc += head[c2 * p.d + col];
    if (segEnd <= (c2 + 1u) * p.chunk) { break; }
    c2++;
  }
  let at = latent * p.d + col;
  w[at] = w[at] + acc;
}`,
};

/** The slot lists last built, reused while the same indices tensor is unchanged. */
interface Lists {
  readonly indices: GpuTensor;
  readonly version: number;
  readonly m: number;
}
const built = new WeakMap<GpuRuntime, Lists>();

/** Slots per chunk: at least 64, more when the head partials would pass ~32 MiB. */
function chunkSize(pairs: number, d: number): number {
  return Math.max(64, Math.ceil((pairs * d * 4) / 2 ** 25));
}

export function scatterOuterAdd(
  rt: GpuRuntime,
  weight: Tensor,
  indices: Tensor,
  values: Tensor,
  x: Tensor,
): void {
  const w = gpu(weight);
  const ix = gpu(indices);
  const v = gpu(values);
  const xt = gpu(x);
  const { B, k, m, d } = sparseDims(ix, w);
  const pairs = B * k;
  if (pairs === 0 || m === 0 || d === 0) return;
  const counts = rt.scratch('scatterOuterAdd.counts', m * 4);
  const offsets = rt.scratch('scatterOuterAdd.offsets', m * 4);
  const list = rt.scratch('scatterOuterAdd.list', pairs * 4);
  const last = built.get(rt);
  if (!(last && last.indices === ix && last.version === ix.version && last.m === m)) {
    const cursor = rt.scratch('scatterOuterAdd.cursor', m * 4);
    rt.copies((enc) => {
      enc.clearBuffer(counts.buffer, 0, counts.byteLength);
      enc.clearBuffer(cursor.buffer, 0, cursor.byteLength);
    });
    rt.dispatch(COUNT, [counts, ix], launch(rt, pairs), params().u32(pairs));
    rt.dispatch(SCAN, [offsets, counts], rt.grid(Math.ceil(m / 256)), params().u32(m));
    rt.dispatch(LIST, [list, cursor, offsets, ix], launch(rt, pairs), params().u32(pairs));
    built.set(rt, { indices: ix, version: ix.version, m });
  }
  const chunk = chunkSize(pairs, d);
  const chunks = Math.ceil(pairs / chunk);
  const head = rt.scratch('scatterOuterAdd.head', chunks * d * 4);
  const p = params().u32(chunks).u32(chunk).u32(k).u32(d).u32(m);
  const bindings = [w, head, counts, offsets, list, ix, v, xt];
  rt.dispatch(CHUNK_SUMS, bindings, launch(rt, chunks * d), p);
  rt.dispatch(CHUNK_FINISH, bindings, launch(rt, chunks * d), p);
}
