/*
 * Matmul for GPUs: a 128×128 output tile per workgroup of 16×16 invocations, each computing
 * an 8×8 block (two 4-row by two 4-column vec4 micro-tiles, 64 and 16 apart so that a
 * warp's loads of one k-row of the shared tiles are contiguous vec4s). K is staged through
 * workgroup memory 8 at a time; each k step reads 4 vec4 (16 floats) from shared memory for
 * 64 multiply-adds. Shared rows are padded by one vec4 so the transposing stores of a
 * row-major operand spread over banks. Workgroups walk the output in groups of 8 tile-rows
 * (swizzled order), so consecutive workgroups reuse the same B tiles from L2.
 *
 * Split-K: with `splits` > 1, workgroup z takes one K range and writes its raw partial
 * product to `partial[z]`; `encodeSplitFinish` (gemv.ts) then applies alpha, bias and
 * accumulate. That path serves outputs too small to fill the GPU (TN weight gradients of
 * small layers).
 */
export const TILE = 128;
export const TK = 8;
// Shared row stride in vec4s: 32 for the tile plus one of padding.
const S = TILE / 4 + 1;

/** Loads one operand's 128×8 tile into `dst` (shared, [TK][S] vec4, element (k, i)). */
function loadTile(
  dst: string,
  src: string,
  kMajor: boolean,
  vec4: boolean,
  dim: 'M' | 'N',
  base: string,
): string {
  if (kMajor && vec4) {
    // src[k * dim + i], dim % 4 == 0: one vec4 along i per invocation, stored unchanged.
    return `{
      let kk = tid / 32u; let i4 = tid % 32u;
      let k = k0 + kk; let i = ${base} + i4 * 4u;
      var v = vec4<f32>(0.0);
      if (k < kEnd && i < p.${dim}) { v = ${src}4[(k * p.${dim} + i) / 4u]; }
      ${dst}[kk * ${S}u + i4] = v;
    }`;
  }
  if (kMajor) {
    return `for (var e = tid; e < ${TILE * TK}u; e += 256u) {
      let kk = e / ${TILE}u; let ii = e % ${TILE}u;
      let k = k0 + kk; let i = ${base} + ii;
      var v = 0.0;
      if (k < kEnd && i < p.${dim}) { v = ${src}[k * p.${dim} + i]; }
      ${dst}[kk * ${S}u + ii / 4u][ii % 4u] = v;
    }`;
  }
  if (vec4) {
    // src[i * K + k], K % 4 == 0: one vec4 along k per invocation, scattered over 4 k-rows.
    return `{
      let ii = tid / 2u; let kq = (tid % 2u) * 4u;
      let k = k0 + kq; let i = ${base} + ii;
      var v = vec4<f32>(0.0);
      if (k < kEnd && i < p.${dim}) { v = ${src}4[(i * p.K + k) / 4u]; }
      for (var j = 0u; j < 4u; j++) { ${dst}[(kq + j) * ${S}u + ii / 4u][ii % 4u] = v[j]; }
    }`;
  }
  return `for (var e = tid; e < ${TILE * TK}u; e += 256u) {
      let ii = e / ${TK}u; let kk = e % ${TK}u;
      let k = k0 + kk; let i = ${base} + ii;
      var v = 0.0;
      if (k < kEnd && i < p.${dim}) { v = ${src}[i * p.K + k]; }
      ${dst}[kk * ${S}u + ii / 4u][ii % 4u] = v;
    }`;
}

/** The 64 multiply-adds of one k step, unrolled (acc index: (rowHalf·4 + i)·2 + colHalf). */
function fma(): string {
  const lines: string[] = [];
  for (let h = 0; h < 2; h++) {
    for (let i = 0; i < 4; i++) {
      for (let c = 0; c < 2; c++) {
        lines.push(`acc[${(h * 4 + i) * 2 + c}] += a${h}[${i}] * b${c};`);
      }
    }
  }
  return lines.join('\n      ');
}

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
struct P { M: u32, N: u32, K: u32, hasBias: u32, accumulate: u32, alpha: f32, splits: u32, chunk: u32 }
@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> ${vec4A ? 'A4: array<vec4<f32>>' : 'A: array<f32>'};
@group(0) @binding(2) var<storage, read> ${vec4B ? 'B4: array<vec4<f32>>' : 'B: array<f32>'};
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;
@group(0) @binding(5) var<uniform> p: P;
var<workgroup> As: array<vec4<f32>, ${TK * S}>;
var<workgroup> Bs: array<vec4<f32>, ${TK * S}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  // Swizzle: groups of 8 tile-rows, walked column by column.
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
  let kEnd = min(p.K, kBegin + p.chunk);
  let tid = lid.y * 16u + lid.x;
  let tx = lid.x;
  let ty = lid.y;
  var acc: array<vec4<f32>, 16>;
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TK}u) {
    ${loadTile('As', 'A', transA, vec4A, 'M', 'row0')}
    ${loadTile('Bs', 'B', !transB, vec4B, 'N', 'col0')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let a0 = As[kk * ${S}u + ty];
      let a1 = As[kk * ${S}u + 16u + ty];
      let b0 = Bs[kk * ${S}u + tx];
      let b1 = Bs[kk * ${S}u + 16u + tx];
      ${fma()}
    }
    workgroupBarrier();
  }
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
  }
}`;
}

/** Workgroup storage the tiled matmul needs (both shared tiles). */
export const TILED_STORAGE = 2 * TK * S * 16;

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
