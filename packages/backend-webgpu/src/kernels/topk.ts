import type { Tensor } from '@saekit/core';
import {
  type Binding,
  type GpuRuntime,
  params,
  type RawBinding,
  type ShaderSpec,
} from '../runtime.js';
import { FLAT_INDEX, gpu, launch, matrix, WG as WG_1D, wgslType } from './common.js';
import { RADIX_KEYS } from './radix.js';
import { topkRowsCode } from './topk-rows.js';
import { twoPassCode, twoPassFixedBytes } from './topk-two-pass.js';
import { SORT_AND_WRITE, topkHeader } from './topk-wgsl.js';

/*
 * One workgroup per row. Radix select (4 passes of 8 bits over the row, histogram in
 * workgroup memory) finds the k-th largest key T exactly; the elements above T are then
 * appended in any order, and the elements equal to T are taken lowest-index first (with an
 * ordered prefix scan only when more of them exist than are needed). A bitonic sort of the k
 * selected (key descending, index ascending) gives the contract's order. Cost: about five
 * reads of the row, never a sort of the row. `listed`: the rows are those in `list` (the
 * two-pass kernel's overflowed rows), one workgroup each.
 */
function shaderCode(kp: number, wg: number, listed = false): string {
  return /* wgsl */ `
${topkHeader(listed ? ['var<storage, read> list: array<u32>;'] : [])}
const KP: u32 = ${kp}u;
const WG: u32 = ${wg}u;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> selKey: array<u32, KP>;
var<workgroup> selIdx: array<u32, KP>;
var<workgroup> scan: array<u32, WG>;
var<workgroup> counter: atomic<u32>;
var<workgroup> sPrefix: u32;
var<workgroup> sMask: u32;
var<workgroup> sRemaining: u32;
var<workgroup> sTotal: u32;
var<workgroup> sDone: u32;
var<workgroup> sEqual: u32;
var<workgroup> sChunk: u32;
${RADIX_KEYS}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  ${listed ? 'let row = list[wid.x];' : 'let row = wid.x + wid.y * nwg.x;\n  if (row >= p.rows) { return; }'}
  let base = row * p.m;
  let nc = nCols();
  if (tid == 0u) {
    sPrefix = 0u; sMask = 0u; sRemaining = p.k; sTotal = 0u; sDone = 0u; sEqual = 0u;
    atomicStore(&counter, 0u);
  }
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - round * 8u;
    for (var i = tid; i < 256u; i += WG) { atomicStore(&hist[i], 0u); }
    workgroupBarrier();
    let prefix = sPrefix;
    let pmask = sMask;
    for (var jc = tid; jc < nc; jc += WG) {
      let c = col(jc);
      let x = scores[base + c];
      if (isNan(x)) { continue; }
      let key = toKey(x);
      if ((key & pmask) == prefix) { atomicAdd(&hist[(key >> shift) & 255u], 1u); }
    }
    workgroupBarrier();
    if (tid == 0u) {
      if (round == 0u) {
        var total = 0u;
        for (var i = 0u; i < 256u; i++) { total += atomicLoad(&hist[i]); }
        sTotal = total;
        if (total <= p.k) { sDone = 1u; }
      }
      if (sDone == 0u) {
        var rem = sRemaining;
        var d = 255u;
        loop {
          let h = atomicLoad(&hist[d]);
          if (h >= rem || d == 0u) { break; }
          rem -= h;
          d -= 1u;
        }
        sPrefix = sPrefix | (d << shift);
        sMask = sMask | (255u << shift);
        sRemaining = rem;
        sEqual = atomicLoad(&hist[d]);
      }
    }
    if (workgroupUniformLoad(&sDone) != 0u) { break; }
  }
  let done = workgroupUniformLoad(&sDone);
  let T = workgroupUniformLoad(&sPrefix);
  let rem = workgroupUniformLoad(&sRemaining);
  let equal = workgroupUniformLoad(&sEqual);
  let gtCount = p.k - rem;
  // Everything above T (or every candidate when there are no more than k of them).
  for (var jc = tid; jc < nc; jc += WG) {
    let c = col(jc);
    let x = scores[base + c];
    if (isNan(x)) { continue; }
    let key = toKey(x);
    if (done != 0u || key > T) {
      let s = atomicAdd(&counter, 1u);
      selKey[s] = key;
      selIdx[s] = c;
    }
  }
  if (done == 0u) {
    if (equal == rem) {
      for (var jc = tid; jc < nc; jc += WG) {
        let c = col(jc);
        let x = scores[base + c];
        if (!isNan(x) && toKey(x) == T) {
          let s = atomicAdd(&counter, 1u);
          selKey[s] = T;
          selIdx[s] = c;
        }
      }
    } else {
      // More elements equal T than are needed: take them in column order.
      var taken = 0u;
      for (var j0 = 0u; j0 < nc; j0 += WG) {
        let jc = j0 + tid;
        var flag = 0u;
        var c = 0u;
        if (jc < nc) {
          c = col(jc);
          let x = scores[base + c];
          if (!isNan(x) && toKey(x) == T) { flag = 1u; }
        }
        scan[tid] = flag;
        workgroupBarrier();
        for (var off = 1u; off < WG; off <<= 1u) {
          var v = scan[tid];
          if (tid >= off) { v += scan[tid - off]; }
          workgroupBarrier();
          scan[tid] = v;
          workgroupBarrier();
        }
        let pos = taken + scan[tid] - 1u;
        if (flag == 1u && pos < rem) {
          selKey[gtCount + pos] = T;
          selIdx[gtCount + pos] = c;
        }
        if (tid == WG - 1u) { sChunk = scan[WG - 1u]; }
        taken += workgroupUniformLoad(&sChunk);
        if (taken >= rem) { break; }
      }
    }
  }
  let n = select(p.k, sTotal, done != 0u);
  ${SORT_AND_WRITE}
}`;
}

// 64 invocations per row: enough lanes on a GPU (rows give the parallelism) and a quarter of
// the barrier cost of 256 on llvmpipe, which runs a workgroup's invocations as coroutines.
const WG = 64;

// Rows this short are scanned by one invocation each on every adapter (see topk-rows.ts).
const ROW_SCAN_MAX_M = 1024;
const ROW_WG = 64;

const shaders = new Map<string, ShaderSpec>();

function cached(key: string, make: () => ShaderSpec): ShaderSpec {
  let sh = shaders.get(key);
  if (!sh) {
    sh = make();
    shaders.set(key, sh);
  }
  return sh;
}

/** The largest k one workgroup can select with the adapter's workgroup storage. */
export function maxTopk(rt: GpuRuntime): number {
  let kp = 2;
  while (8 * (kp * 2) + 2 * 1024 + 64 <= rt.maxWorkgroupStorage) kp *= 2;
  return kp;
}

// The two-pass kernel's candidate buffer: the largest power of two up to this that fits.
const MAX_CANDIDATES = 4096;
// Below this many candidate slots a bin of a random row would overflow too often to pay.
const MIN_CANDIDATES = 256;

/** Candidate slots the two-pass kernel gets next to a KP-entry selection, 0 when too few fit. */
function candidateSlots(rt: GpuRuntime, kp: number): number {
  const free = rt.maxWorkgroupStorage - twoPassFixedBytes(kp, WG);
  let c = MAX_CANDIDATES;
  while (c >= MIN_CANDIDATES && 8 * c > free) c /= 2;
  return c >= MIN_CANDIDATES ? c : 0;
}

export function topk(
  rt: GpuRuntime,
  values: Tensor,
  indices: Tensor,
  scores: Tensor,
  mask?: Tensor,
): void {
  const v = gpu(values);
  const ix = gpu(indices);
  const s = gpu(scores);
  const [rows, m] = matrix(s);
  const k = matrix(v)[1];
  const mk = mask ? gpu(mask) : null;
  if (k === 0 || rows === 0) return;
  let kp = 2;
  while (kp < k) kp *= 2;
  // The row scan inserts ~k·ln(m/k) times per row, each O(k): on CPU adapters it beats the
  // radix select up to k ≈ 64 (measured on llvmpipe at m = 4096).
  const perRow = m <= ROW_SCAN_MAX_M || (rt.software && k <= 64);
  // GPUs take the two-pass select (two reads of the row instead of about five), with the
  // radix select redoing only the rows whose candidates overflow workgroup memory.
  const cand = perRow || rt.software || rows > rt.maxGroups ? 0 : candidateSlots(rt, kp);
  const path = perRow ? 'row-scan' : cand > 0 ? 'two-pass' : 'radix';
  const sh = cached(`${path}/${kp}/${cand}`, () => ({
    kernel: 'topk',
    path,
    code:
      path === 'row-scan'
        ? topkRowsCode(kp, ROW_WG)
        : path === 'two-pass'
          ? twoPassCode(kp, cand, WG)
          : shaderCode(kp, WG),
    bindings:
      path === 'two-pass' ? ['rw', 'rw', 'read', 'read', 'rw', 'rw'] : ['rw', 'rw', 'read', 'read'],
    params: true,
  }));
  const grid = perRow ? rt.grid(Math.ceil(rows / ROW_WG)) : rt.grid(rows);
  const p = params()
    .u32(rows)
    .u32(m)
    .u32(k)
    .u32(mk ? 1 : 0);
  // Masked: the unmasked columns, listed by `topk.columns` below.
  const columns = mk ? rt.scratch('topk.columns', (m + 1) * 4) : rt.placeholder();
  let overflow: { args: RawBinding; list: RawBinding } | null = null;
  let bindings: Binding[] = [v, ix, s, columns];
  if (path === 'two-pass') {
    overflow = {
      args: rt.indirectScratch('topk.overflowArgs', 16),
      list: rt.scratch('topk.overflowList', rows * 4),
    };
    const args = overflow.args;
    rt.copies((enc) => enc.clearBuffer(args.buffer, 0, 16));
    bindings = [...bindings, overflow.args, overflow.list];
  }
  if (!mk) rt.dispatch(sh, bindings, grid, p);
  else {
    // Masked (AuxK): a one-workgroup pass lists the unmasked columns (the dead latents) in
    // order, and writes the workgroup counts of the selection and of the fill that writes the
    // empty answer, one of them zero: with no dead latent the selection is skipped on the
    // device, and with few each row reads only their scores.
    const args = rt.indirectScratch('topk.args', 32);
    const empty = launch(rt, rows * k);
    rt.dispatch(
      listColumns(wgslType(mk)),
      [args, columns, mk],
      [1],
      params().u32(m).u32(grid[0]).u32(grid[1]).u32(empty[0]).u32(empty[1]),
    );
    rt.dispatch(sh, bindings, { buffer: args.buffer, offset: 0 }, p);
    rt.dispatch(EMPTY, [v, ix], { buffer: args.buffer, offset: 16 }, params().u32(rows * k));
  }
  if (overflow) {
    const redo = cached(`overflow/${kp}`, () => ({
      kernel: 'topk',
      path: 'overflow',
      code: shaderCode(kp, WG, true),
      bindings: ['rw', 'rw', 'read', 'read', 'read'],
      params: true,
    }));
    rt.dispatch(
      redo,
      [v, ix, s, columns, overflow.list],
      { buffer: overflow.args.buffer, offset: 0 },
      p,
    );
  }
}

const columnShaders = new Map<string, ShaderSpec>();

/**
 * One workgroup: cols[0] = the number of unmasked columns, cols[1 + j] = the j-th in
 * ascending order (each invocation lists a contiguous range after an exclusive scan of the
 * ranges' counts), and the indirect counts: the selection's grid when some column is
 * unmasked, else the empty fill's.
 */
function listColumns(maskType: 'f32' | 'i32'): ShaderSpec {
  let sh = columnShaders.get(maskType);
  if (!sh) {
    sh = {
      kernel: 'topk.columns',
      bindings: ['rw', 'rw', 'read'],
      params: true,
      code: /* wgsl */ `
struct P { m: u32, gx: u32, gy: u32, ex: u32, ey: u32 }
@group(0) @binding(0) var<storage, read_write> args: array<u32>;
@group(0) @binding(1) var<storage, read_write> cols: array<u32>;
@group(0) @binding(2) var<storage, read> mask: array<${maskType}>;
@group(0) @binding(3) var<uniform> p: P;
var<workgroup> part: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) tid: u32) {
  let per = (p.m + 255u) / 256u;
  let lo = min(tid * per, p.m);
  let hi = min(lo + per, p.m);
  var count = 0u;
  for (var c = lo; c < hi; c++) {
    if (mask[c] != ${maskType}(0)) { count++; }
  }
  part[tid] = count;
  workgroupBarrier();
  if (tid == 0u) {
    var total = 0u;
    for (var t = 0u; t < 256u; t++) {
      let n = part[t];
      part[t] = total;
      total += n;
    }
    cols[0] = total;
    let some = total > 0u;
    args[0] = select(0u, p.gx, some); args[1] = select(0u, p.gy, some); args[2] = 1u;
    args[4] = select(p.ex, 0u, some); args[5] = select(p.ey, 0u, some); args[6] = 1u;
  }
  workgroupBarrier();
  var o = 1u + part[tid];
  for (var c = lo; c < hi; c++) {
    if (mask[c] != ${maskType}(0)) {
      cols[o] = c;
      o++;
    }
  }
}`,
    };
    columnShaders.set(maskType, sh);
  }
  return sh;
}

// The answer when nothing is selectable: value 0 and index −1 in every slot.
const EMPTY: ShaderSpec = {
  kernel: 'topk.empty',
  bindings: ['rw', 'rw'],
  params: true,
  code: /* wgsl */ `
struct P { n: u32 }
@group(0) @binding(0) var<storage, read_write> vals: array<f32>;
@group(0) @binding(1) var<storage, read_write> idx: array<i32>;
@group(0) @binding(2) var<uniform> p: P;
${FLAT_INDEX}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  vals[i] = 0.0;
  idx[i] = -1;
}`,
};
