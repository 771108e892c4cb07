/*
 * The tiled matmul (matmul-tiled.ts: same 128×128 tiles, 8×8 outputs per invocation, swizzle,
 * split-K, register double buffering and epilogue) with A passed between lanes by subgroup
 * shuffles instead of staged in workgroup memory: the recipe public subgroup SGEMMs use
 * (ONNX Runtime's WebGPU GEMM for Intel, for one). All invocations of a row group (the 16
 * sharing ty) need the same 8 rows of A; within each block of 8 lanes, every lane fetches an
 * eighth of those rows' K-tile from global memory, and the FMAs take each A value from the
 * lane that holds it. That removes A's shared stores (the transposing scalar stores of a
 * row-major A above all), its barrier traffic and half the workgroup storage; B stays in
 * workgroup memory, as every lane needs different columns of it. Both halves of a row group
 * (two blocks of 8) fetch the same fragment: the second read hits the cache and keeps the
 * code one shape for every subgroup size from 8 up.
 *
 * Lanes are not assumed to follow local invocation order: each subgroup claims a contiguous
 * range of tile positions through a workgroup atomic and its lanes take them in
 * subgroup_invocation_id order, so a block of 8 lanes is always 8 adjacent positions of one
 * row group. That needs subgroups of at least 8 lanes (sizes are powers of two, so each
 * range then starts at a multiple of 8): matmul.ts picks this variant only then.
 */
import {
  fmaBlock,
  LOAD_B,
  matmulBindings,
  S,
  stageTile,
  TILE_ORIGIN,
  TK,
  WRITE_BLOCK,
} from './matmul-tiled.js';

/** The smallest subgroup this variant works with (one row group's fragment per 8 lanes). */
export const MIN_SUBGROUP = 8;

/**
 * WGSL of `fetchFrag(k0, kEnd, r0, g) -> vec4<f32>`: lane g (0..7 in its block) of the row
 * group whose four rows start at r0. Row-major A: row r0 + g / 2, k0 + 4·(g % 2) .. + 3.
 * Transposed A (rows contiguous): k0 + g, rows r0 .. r0 + 3. Zero past the edges.
 */
function fragment(transA: boolean, vec4A: boolean): string {
  const sig = 'fn fetchFrag(k0: u32, kEnd: u32, r0: u32, g: u32) -> vec4<f32>';
  if (!transA && vec4A) {
    // K % 4 == 0 and k % 4 == 0, so k < kEnd keeps the whole vec4 inside (as in stageTile).
    return `${sig} {
  let r = r0 + g / 2u; let k = k0 + (g % 2u) * 4u;
  if (r < p.M && k < kEnd) { return A4[(r * p.K + k) / 4u]; }
  return vec4<f32>(0.0);
}`;
  }
  if (!transA) {
    return `${sig} {
  var v = vec4<f32>(0.0);
  let r = r0 + g / 2u; let k = k0 + (g % 2u) * 4u;
  for (var j = 0u; j < 4u; j++) { if (r < p.M && k + j < kEnd) { v[j] = A[r * p.K + k + j]; } }
  return v;
}`;
  }
  if (vec4A) {
    // M % 4 == 0 and r0 % 4 == 0: r0 < M keeps the four rows inside.
    return `${sig} {
  let k = k0 + g;
  if (k < kEnd && r0 < p.M) { return A4[(k * p.M + r0) / 4u]; }
  return vec4<f32>(0.0);
}`;
  }
  return `${sig} {
  var v = vec4<f32>(0.0);
  let k = k0 + g;
  for (var i = 0u; i < 4u; i++) { if (k < kEnd && r0 + i < p.M) { v[i] = A[k * p.M + r0 + i]; } }
  return v;
}`;
}

/**
 * The FMAs of one K-tile from the fragments fa0 / fa1 (row halves h = 0, 1) of the lanes
 * blk .. blk + 7. Row-major A: the shuffle of fragment h from lane 2i + q brings row i's four
 * k values 4q .. 4q + 3. Transposed A: the shuffle from lane kk brings the four rows at kk.
 * Shuffles stay outside every branch: they need the whole subgroup (uniform control flow).
 */
function tileFmas(transA: boolean): string {
  if (transA) {
    return `for (var kk = 0u; kk < ${TK}u; kk++) {
      let a0 = subgroupShuffle(fa0, blk + kk);
      let a1 = subgroupShuffle(fa1, blk + kk);
      ${LOAD_B}
      ${fmaBlock((h, i) => `a${h}[${i}]`)}
    }`;
  }
  const shuffles: string[] = [];
  for (let h = 0; h < 2; h++) {
    for (let i = 0; i < 4; i++) {
      shuffles.push(`let a${h}${i} = subgroupShuffle(fa${h}, blk + ${2 * i}u + q);`);
    }
  }
  return `for (var q = 0u; q < 2u; q++) {
      ${shuffles.join('\n      ')}
      for (var j = 0u; j < 4u; j++) {
        let kk = q * 4u + j;
        ${LOAD_B}
        ${fmaBlock((h, i) => `a${h}${i}[j]`)}
      }
    }`;
}

/** WGSL of the subgroup matmul; `vec4A` / `vec4B` as in `matmulTiledCode`. */
export function matmulSubgroupCode(
  transA: boolean,
  transB: boolean,
  vec4A: boolean,
  vec4B: boolean,
): string {
  return /* wgsl */ `enable subgroups;
${matmulBindings(vec4A, vec4B)}
var<workgroup> Bs: array<vec4<f32>, ${TK * S}>;
var<workgroup> claimed: atomic<u32>;
${stageTile('B', !transB, vec4B, 'N')}
${fragment(transA, vec4A)}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) size: u32) {
  ${TILE_ORIGIN}
  // This subgroup's range of tile positions (see the header: no lane-order assumption).
  var first = 0u;
  if (lane == 0u) { first = atomicAdd(&claimed, size); }
  let tid = subgroupBroadcast(first, 0u) + lane;
  let tx = tid % 16u;
  let ty = tid / 16u;
  let blk = lane - lane % 8u;
  let g = lane % 8u;
  let r0 = row0 + ty * 4u;
  var acc: array<vec4<f32>, 16>;
  var fa0 = fetchFrag(kBegin, kEnd, r0, g);
  var fa1 = fetchFrag(kBegin, kEnd, r0 + 64u, g);
  var rb = fetchB(kBegin, kEnd, col0, tid);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TK}u) {
    stashB(rb, tid);
    workgroupBarrier();
    // The next tile's loads go out before this tile's FMAs (as in the tiled kernel).
    let kn = k0 + ${TK}u;
    var na0 = vec4<f32>(0.0);
    var na1 = vec4<f32>(0.0);
    if (kn < kEnd) {
      na0 = fetchFrag(kn, kEnd, r0, g);
      na1 = fetchFrag(kn, kEnd, r0 + 64u, g);
      rb = fetchB(kn, kEnd, col0, tid);
    }
    ${tileFmas(transA)}
    workgroupBarrier();
    fa0 = na0;
    fa1 = na1;
  }
  ${WRITE_BLOCK}
}`;
}
