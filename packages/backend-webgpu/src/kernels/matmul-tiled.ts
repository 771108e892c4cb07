/*
 * Matmul for GPUs: a 128×128 output tile per workgroup of 16×16 invocations, each computing
 * an 8×8 block (two 4-row by two 4-column vec4 micro-tiles, 64 and 16 apart so that a
 * warp's loads of one k-row of the shared tiles are contiguous vec4s). K is staged through
 * workgroup memory 8 at a time; each k step reads 4 vec4 (16 floats) from shared memory for
 * 64 multiply-adds. Shared rows are padded by one vec4 so the transposing stores of a
 * row-major operand spread over banks. Workgroups walk the output in groups of 8 tile-rows
 * (swizzled order), so consecutive workgroups reuse the same B tiles from L2.
 *
 * Double buffering through registers: each invocation fetches its share of the next K-tile
 * from global memory into a vec4 before the FMAs of the current one and stores it to shared
 * memory after them, so a GPU has the loads in flight while it computes. One shared buffer
 * per operand (not two): with the padding, two would need 16.5 KiB, over the 16 KiB WebGPU
 * guarantees, and the second barrier per tile costs little beside the 512 FMAs it fences.
 *
 * Split-K: with `splits` > 1, workgroup z takes one K range and writes its raw partial
 * product to `partial[z]`; `encodeSplitFinish` (gemv.ts) then applies alpha, bias and
 * accumulate. That path serves outputs too small to fill the GPU (TN weight gradients of
 * small layers).
 *
 * The subgroup variant (matmul-subgroup.ts) shares the staging of B, the prologue and the
 * epilogue written here.
 */
export const TILE = 128;
export const TK = 8;
// Shared row stride in vec4s: 32 for the tile plus one of padding.
export const S = TILE / 4 + 1;

/** WGSL declarations common to both GPU matmuls (the binding order matmul.ts dispatches). */
export function matmulBindings(vec4A: boolean, vec4B: boolean): string {
  return `struct P { M: u32, N: u32, K: u32, hasBias: u32, accumulate: u32, alpha: f32, splits: u32, chunk: u32 }
@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> ${vec4A ? 'A4: array<vec4<f32>>' : 'A: array<f32>'};
@group(0) @binding(2) var<storage, read> ${vec4B ? 'B4: array<vec4<f32>>' : 'B: array<f32>'};
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;
@group(0) @binding(5) var<uniform> p: P;`;
}

/**
 * WGSL of `fetch<X>(k0, kEnd, base, tid) -> vec4<f32>` (this invocation's four elements of
 * the operand's 128×8 tile at k0, zero past the edges) and `stash<X>(v, tid)` (stores them
 * into the shared tile `<X>s`, [TK][S] vec4, element (k, i)). Each of the 256 invocations
 * moves exactly four elements whatever the layout, so one vec4 register holds the next tile.
 */
export function stageTile(x: 'A' | 'B', kMajor: boolean, vec4: boolean, dim: 'M' | 'N'): string {
  const dst = `${x}s`;
  const sig = `fn fetch${x}(k0: u32, kEnd: u32, base: u32, tid: u32) -> vec4<f32>`;
  const stash = `fn stash${x}(v: vec4<f32>, tid: u32)`;
  if (kMajor && vec4) {
    // src[k * dim + i], dim % 4 == 0: one vec4 along i, stored unchanged.
    return `${sig} {
  let k = k0 + tid / 32u; let i = base + (tid % 32u) * 4u;
  if (k < kEnd && i < p.${dim}) { return ${x}4[(k * p.${dim} + i) / 4u]; }
  return vec4<f32>(0.0);
}
${stash} { ${dst}[(tid / 32u) * ${S}u + tid % 32u] = v; }`;
  }
  if (kMajor) {
    // Element e = tid + 256·j of the tile is (k = e / 128, i = e % 128).
    return `${sig} {
  var v = vec4<f32>(0.0);
  let i = base + tid % ${TILE}u;
  for (var j = 0u; j < 4u; j++) {
    let k = k0 + tid / ${TILE}u + 2u * j;
    if (k < kEnd && i < p.${dim}) { v[j] = ${x}[k * p.${dim} + i]; }
  }
  return v;
}
${stash} {
  let ii = tid % ${TILE}u;
  for (var j = 0u; j < 4u; j++) { ${dst}[(tid / ${TILE}u + 2u * j) * ${S}u + ii / 4u][ii % 4u] = v[j]; }
}`;
  }
  if (vec4) {
    // src[i * K + k], K % 4 == 0: one vec4 along k, scattered over 4 k-rows. A split's K
    // range starts at a multiple of 8 and K % 4 == 0, so k < kEnd keeps all four inside.
    return `${sig} {
  let k = k0 + (tid % 2u) * 4u; let i = base + tid / 2u;
  if (k < kEnd && i < p.${dim}) { return ${x}4[(i * p.K + k) / 4u]; }
  return vec4<f32>(0.0);
}
${stash} {
  let ii = tid / 2u; let kq = (tid % 2u) * 4u;
  for (var j = 0u; j < 4u; j++) { ${dst}[(kq + j) * ${S}u + ii / 4u][ii % 4u] = v[j]; }
}`;
  }
  // Element e = tid + 256·j is (i = e / 8, k = e % 8).
  return `${sig} {
  var v = vec4<f32>(0.0);
  let k = k0 + tid % ${TK}u;
  for (var j = 0u; j < 4u; j++) {
    let i = base + tid / ${TK}u + 32u * j;
    if (k < kEnd && i < p.${dim}) { v[j] = ${x}[i * p.K + k]; }
  }
  return v;
}
${stash} {
  let kk = tid % ${TK}u;
  for (var j = 0u; j < 4u; j++) {
    let ii = tid / ${TK}u + 32u * j;
    ${dst}[kk * ${S}u + ii / 4u][ii % 4u] = v[j];
  }
}`;
}

/**
 * The 64 multiply-adds of one k step, unrolled (acc index: (rowHalf·4 + i)·2 + colHalf).
 * `a(h, i)` is the WGSL of row h·64 + 4·ty + i's element; the B vec4s are b0 and b1.
 */
export function fmaBlock(a: (h: number, i: number) => string): string {
  const lines: string[] = [];
  for (let h = 0; h < 2; h++) {
    for (let i = 0; i < 4; i++) {
      for (let c = 0; c < 2; c++) {
        lines.push(`acc[${(h * 4 + i) * 2 + c}] += ${a(h, i)} * b${c};`);
      }
    }
  }
  return lines.join('\n      ');
}

/**
 * WGSL that sets row0 / col0 (the swizzled tile: groups of 8 tile-rows, walked column by
 * column, so consecutive workgroups share B tiles in L2) and kBegin / kEnd (this split).
 */
export const TILE_ORIGIN = /* wgsl */ `
  let tilesN = nwg.x;
  let tilesM = nwg.y;
  let pid = wg.x + wg.y * tilesN;
  let width = 8u * tilesN;
  let firstM = (pid / width) * 8u;
  let groupM = min(tilesM - firstM, 8u);
  let tm = firstM + (pid % width) % groupM;
  let tn = (pid % width) / groupM;
  let row0 = tm * ${TILE}u;
  let col0 = tn * ${TILE}u;
  let kBegin = wg.z * p.chunk;
  let kEnd = min(p.K, kBegin + p.chunk);`;

/** WGSL writing `acc` (the 8×8 block of invocation (tx, ty)): to `partial`, or C with the epilogue. */
export const WRITE_BLOCK = /* wgsl */ `
  let split = p.splits > 1u;
  for (var h = 0u; h < 2u; h++) {
    for (var i = 0u; i < 4u; i++) {
      let row = row0 + h * 64u + ty * 4u + i;
      if (row >= p.M) { continue; }
      for (var c = 0u; c < 2u; c++) {
        let v4 = acc[(h * 4u + i) * 2u + c];
        for (var j = 0u; j < 4u; j++) {
          let col = col0 + c * 64u + tx * 4u + j;
          if (col >= p.N) { continue; }
          let at = row * p.N + col;
          if (split) {
            partial[wg.z * p.M * p.N + at] = v4[j];
            continue;
          }
          var v = p.alpha * v4[j];
          if (p.hasBias != 0u) { v += bias[col]; }
          if (p.accumulate != 0u) { v += C[at]; }
          C[at] = v;
        }
      }
    }
  }`;

/** The B vec4s of k step kk for column halves 0 and 1 (the shared B tile `Bs`). */
export const LOAD_B = `let b0 = Bs[kk * ${S}u + tx];
      let b1 = Bs[kk * ${S}u + 16u + tx];`;

/**
 * WGSL of the tiled matmul. `vec4A` / `vec4B`: the operand is read four floats at a time
 * along its contiguous dimension (the caller checks that dimension is a multiple of 4).
 */
export function matmulTiledCode(
  transA: boolean,
  transB: boolean,
  vec4A: boolean,
  vec4B: boolean,
): string {
  return /* wgsl */ `
${matmulBindings(vec4A, vec4B)}
var<workgroup> As: array<vec4<f32>, ${TK * S}>;
var<workgroup> Bs: array<vec4<f32>, ${TK * S}>;
${stageTile('A', transA, vec4A, 'M')}
${stageTile('B', !transB, vec4B, 'N')}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  ${TILE_ORIGIN}
  let tid = lid.y * 16u + lid.x;
  let tx = lid.x;
  let ty = lid.y;
  var acc: array<vec4<f32>, 16>;
  var ra = fetchA(kBegin, kEnd, row0, tid);
  var rb = fetchB(kBegin, kEnd, col0, tid);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TK}u) {
    stashA(ra, tid);
    stashB(rb, tid);
    workgroupBarrier();
    // The next tile's loads go out before this tile's FMAs (consumed after the barrier).
    let kn = k0 + ${TK}u;
    if (kn < kEnd) {
      ra = fetchA(kn, kEnd, row0, tid);
      rb = fetchB(kn, kEnd, col0, tid);
    }
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let a0 = As[kk * ${S}u + ty];
      let a1 = As[kk * ${S}u + 16u + ty];
      ${LOAD_B}
      ${fmaBlock((h, i) => `a${h}[${i}]`)}
    }
    workgroupBarrier();
  }
  ${WRITE_BLOCK}
}`;
}

/**
 * How many K ranges to split a product into: enough workgroups to fill a large GPU (about
 * 256) when the output alone gives fewer than 128, with at least 256 of K per range, and
 * the partials within one binding.
 */
export function splitCount(M: number, N: number, K: number, maxBinding: number): number {
  const tiles = Math.ceil(M / TILE) * Math.ceil(N / TILE);
  if (tiles >= 128) return 1;
  const byK = Math.floor(K / 256);
  const byMemory = Math.floor(maxBinding / (M * N * 4));
  return Math.max(1, Math.min(Math.ceil(256 / tiles), byK, byMemory));
}
