import { type MatmulOptions, ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu, matrix } from './common.js';
import { matmulBlockedCode } from './matmulBlocked.js';

// 64×64 output tile per workgroup of 16×16 threads, 4×4 outputs per thread, K in steps of 16
// staged through workgroup memory. Tiles are loaded so that neighbouring threads read
// neighbouring addresses whatever the transposition; with vec4 the inner dimension is read
// four floats at a time when it is a multiple of 4.
const TILE = 64;
const TK = 16;

function shaderCode(transA: boolean, transB: boolean, vec4A: boolean, vec4B: boolean): string {
  // A tile is As[kk][r] (r = output row), B tile is Bs[kk][c] (c = output column).
  const loadA = vec4A
    ? // A row-major [M, K] (not transposed), K % 4 == 0: each thread loads one vec4 along k.
      `{
      let r = tid / 4u; let kk = (tid % 4u) * 4u;
      let row = row0 + r; let k = k0 + kk;
      var v = vec4<f32>(0.0);
      if (row < p.M && k < p.K) { v = A4[(row * p.K + k) / 4u]; }
      As[(kk + 0u) * ${TILE}u + r] = v.x; As[(kk + 1u) * ${TILE}u + r] = v.y;
      As[(kk + 2u) * ${TILE}u + r] = v.z; As[(kk + 3u) * ${TILE}u + r] = v.w;
    }`
    : `for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      ${transA ? 'let kk = e / 64u; let r = e % 64u;' : 'let r = e / 16u; let kk = e % 16u;'}
      let row = row0 + r; let k = k0 + kk;
      var v = 0.0;
      if (row < p.M && k < p.K) { v = A[${transA ? 'k * p.M + row' : 'row * p.K + k'}]; }
      As[kk * ${TILE}u + r] = v;
    }`;
  const loadB = vec4B
    ? // B stored [N, K] (transposed), K % 4 == 0.
      `{
      let c = tid / 4u; let kk = (tid % 4u) * 4u;
      let col = col0 + c; let k = k0 + kk;
      var v = vec4<f32>(0.0);
      if (col < p.N && k < p.K) { v = B4[(col * p.K + k) / 4u]; }
      Bs[(kk + 0u) * ${TILE}u + c] = v.x; Bs[(kk + 1u) * ${TILE}u + c] = v.y;
      Bs[(kk + 2u) * ${TILE}u + c] = v.z; Bs[(kk + 3u) * ${TILE}u + c] = v.w;
    }`
    : `for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      ${transB ? 'let c = e / 16u; let kk = e % 16u;' : 'let kk = e / 64u; let c = e % 64u;'}
      let col = col0 + c; let k = k0 + kk;
      var v = 0.0;
      if (col < p.N && k < p.K) { v = B[${transB ? 'col * p.K + k' : 'k * p.N + col'}]; }
      Bs[kk * ${TILE}u + c] = v;
    }`;
  return /* wgsl */ `
struct P { M: u32, N: u32, K: u32, hasBias: u32, accumulate: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> ${vec4A ? 'A4: array<vec4<f32>>' : 'A: array<f32>'};
@group(0) @binding(2) var<storage, read> ${vec4B ? 'B4: array<vec4<f32>>' : 'B: array<f32>'};
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
var<workgroup> As: array<f32, ${TK * TILE}>;
var<workgroup> Bs: array<f32, ${TK * TILE}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wg.y * ${TILE}u;
  let col0 = wg.x * ${TILE}u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += ${TK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let b = vec4<f32>(Bs[kk * ${TILE}u + lid.x], Bs[kk * ${TILE}u + lid.x + 16u],
                        Bs[kk * ${TILE}u + lid.x + 32u], Bs[kk * ${TILE}u + lid.x + 48u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i] += As[kk * ${TILE}u + lid.y + i * 16u] * b;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + lid.y + i * 16u;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x + j * 16u;
      if (col >= p.N) { continue; }
      var v = p.alpha * acc[i][j];
      if (p.hasBias != 0u) { v += bias[col]; }
      let at = row * p.N + col;
      if (p.accumulate != 0u) { v += C[at]; }
      C[at] = v;
    }
  }
}`;
}

const shaders = new Map<
  string,
  {
    kernel: string;
    path: string;
    code: string;
    bindings: readonly ['rw', 'read', 'read', 'read'];
    params: true;
  }
>();

function shader(
  transA: boolean,
  transB: boolean,
  vec4A: boolean,
  vec4B: boolean,
  blocked: boolean,
) {
  const key = `${transA}${transB}${vec4A}${vec4B}${blocked}`;
  let s = shaders.get(key);
  if (!s) {
    s = {
      kernel: 'matmul',
      path: blocked ? 'blocked' : 'tiled',
      code: blocked
        ? matmulBlockedCode(transA, transB, vec4A && vec4B)
        : shaderCode(transA, transB, vec4A, vec4B),
      bindings: ['rw', 'read', 'read', 'read'],
      params: true,
    };
    shaders.set(key, s);
  }
  return s;
}

export function matmul(
  rt: GpuRuntime,
  out: Tensor,
  a: Tensor,
  b: Tensor,
  o: MatmulOptions = {},
): void {
  const c = gpu(out);
  const at = gpu(a);
  const bt = gpu(b);
  const [ar, ac] = matrix(at);
  const [br, bc] = matrix(bt);
  const [M, K] = o.transA ? [ac, ar] : [ar, ac];
  const N = o.transB ? br : bc;
  const bias = o.bias ? gpu(o.bias) : null;
  const vec4A = !o.transA && K % 4 === 0;
  const vec4B = !!o.transB && K % 4 === 0;
  const p = params()
    .u32(M)
    .u32(N)
    .u32(K)
    .u32(bias ? 1 : 0)
    .u32(o.accumulate ? 1 : 0)
    .f32(o.alpha ?? 1);
  const blocked = rt.software;
  const gx = Math.ceil(N / (blocked ? 32 : TILE));
  const gy = Math.ceil(M / (blocked ? 32 : TILE));
  if (gx > rt.maxGroups || gy > rt.maxGroups) {
    throw new ShapeError(`webgpu matmul: [${M}, ${N}] output needs more workgroups than allowed`);
  }
  rt.dispatch(
    shader(!!o.transA, !!o.transB, vec4A, vec4B, blocked),
    [c, at, bt, bias ?? rt.placeholder()],
    [gx, gy],
    p,
  );
}
