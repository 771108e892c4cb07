import { RADIX_KEYS } from './radix.js';
import { bitonicWgsl, SORT_AND_WRITE, topkHeader } from './topk-wgsl.js';

/** Bins of the first pass: the key's top 11 bits (sign, exponent, two mantissa bits). */
export const TWO_PASS_BINS = 2048;
const SHIFT = 21;

/** Workgroup bytes of the two-pass kernel besides its candidate buffer. */
export function twoPassFixedBytes(kp: number, wg: number): number {
  return 4 * TWO_PASS_BINS + 8 * kp + 4 * wg + 64;
}

/*
 * Top-k of a row in two reads, one workgroup per row. Pass 1: a histogram of the keys' top
 * 11 bits in workgroup memory; the bin holding the k-th largest key follows from it (`above`
 * keys lie in higher bins). Pass 2: keys in higher bins are selected outright, keys in that
 * bin are compacted into a candidate buffer in workgroup memory and sorted there (key
 * descending, column ascending), which gives the remaining k − above exactly, ties to the
 * lower column. A row whose bin holds more
 * candidates than the buffer (many equal or nearly equal values) is appended to `list` and
 * counted in `args` (the indirect workgroup count of the radix select, which redoes it).
 */
export function twoPassCode(kp: number, cand: number, wg: number): string {
  const perThread = TWO_PASS_BINS / wg;
  return /* wgsl */ `
${topkHeader([
  'var<storage, read_write> args: array<atomic<u32>>;',
  'var<storage, read_write> list: array<u32>;',
])}
const KP: u32 = ${kp}u;
const WG: u32 = ${wg}u;
const C: u32 = ${cand}u;
const PER: u32 = ${perThread}u;
var<workgroup> hist: array<atomic<u32>, ${TWO_PASS_BINS}>;
var<workgroup> part: array<u32, WG>;
var<workgroup> selKey: array<u32, KP>;
var<workgroup> selIdx: array<u32, KP>;
var<workgroup> candKey: array<u32, C>;
var<workgroup> candIdx: array<u32, C>;
var<workgroup> selCount: atomic<u32>;
var<workgroup> candCount: atomic<u32>;
var<workgroup> sBin: u32;
var<workgroup> sAbove: u32;
var<workgroup> sTotal: u32;
var<workgroup> sCand: u32;
${RADIX_KEYS}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.m;
  let nc = nCols();
  for (var i = tid; i < ${TWO_PASS_BINS}u; i += WG) { atomicStore(&hist[i], 0u); }
  if (tid == 0u) {
    atomicStore(&selCount, 0u);
    atomicStore(&candCount, 0u);
    // The radix select's workgroup count is (overflowed rows, 1, 1); x was cleared before.
    if (row == 0u) { atomicStore(&args[1], 1u); atomicStore(&args[2], 1u); }
  }
  workgroupBarrier();
  for (var jc = tid; jc < nc; jc += WG) {
    let c = col(jc);
    let x = scores[base + c];
    if (isNan(x)) { continue; }
    atomicAdd(&hist[toKey(x) >> ${SHIFT}u], 1u);
  }
  workgroupBarrier();
  // Each invocation sums PER consecutive bins; one then walks down from the top bin.
  var s = 0u;
  for (var j = 0u; j < PER; j++) { s += atomicLoad(&hist[tid * PER + j]); }
  part[tid] = s;
  workgroupBarrier();
  if (tid == 0u) {
    var total = 0u;
    for (var t = 0u; t < WG; t++) { total += part[t]; }
    sTotal = total;
    sBin = 0u;
    sAbove = 0u;
    if (total > p.k) {
      var acc = 0u;
      var t = WG - 1u;
      loop {
        if (acc + part[t] >= p.k) { break; }
        acc += part[t];
        t -= 1u;
      }
      var b = t * PER + PER - 1u;
      loop {
        let h = atomicLoad(&hist[b]);
        if (acc + h >= p.k) { break; }
        acc += h;
        b -= 1u;
      }
      sBin = b;
      sAbove = acc;
    }
  }
  let total = workgroupUniformLoad(&sTotal);
  let all = total <= p.k;
  let bin = workgroupUniformLoad(&sBin);
  let above = workgroupUniformLoad(&sAbove);
  for (var jc = tid; jc < nc; jc += WG) {
    let c = col(jc);
    let x = scores[base + c];
    if (isNan(x)) { continue; }
    let key = toKey(x);
    let b = key >> ${SHIFT}u;
    if (all || b > bin) {
      let slot = atomicAdd(&selCount, 1u);
      selKey[slot] = key;
      selIdx[slot] = c;
    } else if (b == bin) {
      let slot = atomicAdd(&candCount, 1u);
      if (slot < C) {
        candKey[slot] = key;
        candIdx[slot] = c;
      }
    }
  }
  workgroupBarrier();
  if (tid == 0u) { sCand = atomicLoad(&candCount); }
  let nCand = workgroupUniformLoad(&sCand);
  if (!all) {
    if (nCand > C) {
      if (tid == 0u) { list[atomicAdd(&args[0], 1u)] = row; }
      return;
    }
    let rem = p.k - above;
    if (nCand > rem) {
      var n2 = 1u;
      while (n2 < nCand) { n2 <<= 1u; }
      for (var i = nCand + tid; i < n2; i += WG) { candKey[i] = 0u; candIdx[i] = 0xffffffffu; }
      workgroupBarrier();
      ${bitonicWgsl('candKey', 'candIdx', 'n2')}
    }
    for (var j = tid; j < rem; j += WG) {
      selKey[above + j] = candKey[j];
      selIdx[above + j] = candIdx[j];
    }
  }
  let n = select(p.k, total, all);
  ${SORT_AND_WRITE}
}`;
}
