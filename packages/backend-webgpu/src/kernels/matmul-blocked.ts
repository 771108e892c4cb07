/*
 * Matmul for CPU adapters (llvmpipe, SwiftShader): each invocation computes a 4×4 block of
 * C straight from storage, with no workgroup memory and no barriers (which such adapters
 * run as coroutine switches). Caches do what the shared-memory tiles do on a GPU. When
 * A is row-major and B transposed (the encoder forward x·W_encᵀ) and K % 4 == 0, both
 * operands are read four floats at a time.
 */
export function matmulBlockedCode(transA: boolean, transB: boolean, vec4: boolean): string {
  const a = transA ? 'A[k * p.M + r]' : 'A[r * p.K + k]';
  const b = transB ? 'B[c * p.K + k]' : 'B[k * p.N + c]';
  const inner = vec4
    ? `
    for (var k4 = 0u; k4 < p.K / 4u; k4++) {
      var av: array<vec4<f32>, 4>;
      var bv: array<vec4<f32>, 4>;
      for (var i = 0u; i < 4u; i++) { av[i] = A4[rows[i] * (p.K / 4u) + k4]; }
      for (var j = 0u; j < 4u; j++) { bv[j] = B4[cols[j] * (p.K / 4u) + k4]; }
      for (var i = 0u; i < 4u; i++) {
        acc[i] += vec4<f32>(dot(av[i], bv[0]), dot(av[i], bv[1]), dot(av[i], bv[2]), dot(av[i], bv[3]));
      }
    }`
    : `
    for (var k = 0u; k < p.K; k++) {
      var bv: vec4<f32>;
      for (var j = 0u; j < 4u; j++) { let c = cols[j]; bv[j] = ${b}; }
      for (var i = 0u; i < 4u; i++) { let r = rows[i]; acc[i] += ${a} * bv; }
    }`;
  return /* wgsl */ `
struct P { M: u32, N: u32, K: u32, hasBias: u32, accumulate: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> ${vec4 ? 'A4: array<vec4<f32>>' : 'A: array<f32>'};
@group(0) @binding(2) var<storage, read> ${vec4 ? 'B4: array<vec4<f32>>' : 'B: array<f32>'};
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: P;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  // Ragged edges read a valid row / column again and skip the write.
  var rows: array<u32, 4>;
  var cols: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    rows[i] = min(row0 + i, p.M - 1u);
    cols[i] = min(col0 + i, p.N - 1u);
  }
  var acc: array<vec4<f32>, 4>;
  ${inner}
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= p.N) { break; }
      var v = p.alpha * acc[i][j];
      if (p.hasBias != 0u) { v += bias[col]; }
      let at = row * p.N + col;
      if (p.accumulate != 0u) { v += C[at]; }
      C[at] = v;
    }
  }
}`;
}
