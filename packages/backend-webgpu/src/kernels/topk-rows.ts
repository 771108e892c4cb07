import { topkHeader } from './topk-wgsl.js';

/*
 * Top-k with one invocation per row: a scan of the row in column order that keeps the k best
 * so far in a private list sorted by (value descending, index ascending). A column enters
 * only when strictly above the current k-th value, so equal values keep the lower index.
 * Random rows insert about k·ln(m/k) times, so the cost is one read of the row. No barriers
 * and no atomics: the right shape for CPU adapters (llvmpipe, SwiftShader), which run each
 * workgroup as coroutines, and for small rows on any adapter.
 */
export function topkRowsCode(kp: number, wg: number): string {
  return /* wgsl */ `
${topkHeader()}
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * ${wg}u;
  if (row >= p.rows) { return; }
  var tv: array<f32, ${kp}>;
  var ti: array<i32, ${kp}>;
  var n = 0u;
  // The k-th value once the list is full (kept in a register: the common case is one compare).
  var kth = 0.0;
  var full = false;
  let base = row * p.m;
  let nc = nCols();
  for (var jc = 0u; jc < nc; jc++) {
    // Masked columns are not in the list: their scores are never loaded.
    let c = col(jc);
    let x = scores[base + c];
    if (full && !(x > kth)) { continue; }
    if (isNan(x)) { continue; }
    // Shift the smaller entries down one place and insert after every entry >= x.
    var j = select(n, n - 1u, n == p.k);
    while (j > 0u && tv[j - 1u] < x) {
      tv[j] = tv[j - 1u];
      ti[j] = ti[j - 1u];
      j--;
    }
    tv[j] = x;
    ti[j] = i32(c);
    n = min(n + 1u, p.k);
    full = n == p.k;
    kth = tv[n - 1u];
  }
  for (var j = 0u; j < p.k; j++) {
    let o = row * p.k + j;
    if (j < n) {
      vals[o] = tv[j] + 0.0;
      idx[o] = ti[j];
    } else {
      vals[o] = 0.0;
      idx[o] = -1;
    }
  }
}`;
}
