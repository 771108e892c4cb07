/**
 * WGSL shared by the top-k kernels: the params struct, the four bindings every variant has
 * (values, indices, scores, the column list), then `extra` storage bindings and the params
 * uniform after them. A masked call (AuxK: most columns masked) selects among the unmasked
 * columns only, listed in ascending order by `topk.columns` (cols[0] their count, cols[1 + j]
 * the j-th), so a row costs reads proportional to its candidates, not to m; an unmasked call
 * binds a placeholder there and walks every column.
 */
export function topkHeader(extra: readonly string[] = []): string {
  const more = extra.map((decl, i) => `@group(0) @binding(${4 + i}) ${decl}`).join('\n');
  return /* wgsl */ `
struct P { rows: u32, m: u32, k: u32, hasMask: u32 }
@group(0) @binding(0) var<storage, read_write> vals: array<f32>;
@group(0) @binding(1) var<storage, read_write> idx: array<i32>;
@group(0) @binding(2) var<storage, read> scores: array<f32>;
@group(0) @binding(3) var<storage, read> cols: array<u32>;
${more}
@group(0) @binding(${4 + extra.length}) var<uniform> p: P;
fn nCols() -> u32 {
  if (p.hasMask != 0u) { return cols[0]; }
  return p.m;
}
fn col(j: u32) -> u32 {
  if (p.hasMask != 0u) { return cols[1u + j]; }
  return j;
}
`;
}

/**
 * WGSL: sorts `keys` / `idxs` [0, n) in workgroup memory by key descending, index ascending
 * (n a power of two, uniform across the workgroup; invocation `tid` of `wg`).
 */
export function bitonicWgsl(keys: string, idxs: string, n: string): string {
  return /* wgsl */ `
  for (var size = 2u; size <= ${n}; size <<= 1u) {
    for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
      for (var t = tid; t < ${n} / 2u; t += WG) {
        let lo = 2u * stride * (t / stride) + (t % stride);
        let hi = lo + stride;
        let kl = ${keys}[lo]; let il = ${idxs}[lo];
        let kh = ${keys}[hi]; let ih = ${idxs}[hi];
        let hiFirst = kh > kl || (kh == kl && ih < il);
        if (hiFirst == ((lo & size) == 0u)) {
          ${keys}[lo] = kh; ${idxs}[lo] = ih;
          ${keys}[hi] = kl; ${idxs}[hi] = il;
        }
      }
      workgroupBarrier();
    }
  }`;
}

/**
 * WGSL: the end of a selection that holds its n chosen (key, column) pairs in selKey / selIdx
 * [0, n): pad to KP, sort into the contract's order and write the row's answer (0 / −1 past n).
 */
export const SORT_AND_WRITE = /* wgsl */ `
  workgroupBarrier();
  for (var i = tid; i < KP; i += WG) {
    if (i >= n) { selKey[i] = 0u; selIdx[i] = 0xffffffffu; }
  }
  workgroupBarrier();
  ${bitonicWgsl('selKey', 'selIdx', 'KP')}
  for (var j = tid; j < p.k; j += WG) {
    let o = row * p.k + j;
    if (j < n) {
      vals[o] = fromKey(selKey[j]);
      idx[o] = i32(selIdx[j]);
    } else {
      vals[o] = 0.0;
      idx[o] = -1;
    }
  }`;
