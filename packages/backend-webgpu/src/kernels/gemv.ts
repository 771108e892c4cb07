import { type Binding, type GpuRuntime, params, type ShaderSpec } from '../runtime.js';

/*
 * out[n] = alpha · Σ_k a[k] · B(k, n) (+ bias[n]) (+ out[n]): the M = 1 product (the b_dec
 * gradient W_encᵀ·∂b_enc) and, with a ≡ 1, column sums. Split over K: workgroup (x, y) takes
 * 64 columns and one K range, so a [K = 16384, N = 768] product runs on ~260 workgroups
 * instead of a few walking all of K. Each range's sum goes to `partial[y, n]`, and
 * `encodeSplitFinish` adds the ranges in a fixed order (deterministic, unlike atomics).
 * No barriers and no workgroup memory, so it suits CPU adapters as well.
 */
const GEMV_WG = 64;

const GEMV = {
  kernel: 'gemv',
  bindings: ['rw', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { N: u32, K: u32, chunk: u32, hasA: u32, transB: u32 }
@group(0) @binding(0) var<storage, read_write> partial: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(${GEMV_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let n = gid.x;
  if (n >= p.N) { return; }
  let k0 = wid.y * p.chunk;
  let k1 = min(p.K, k0 + p.chunk);
  var acc = 0.0;
  for (var k = k0; k < k1; k++) {
    var b: f32;
    if (p.transB != 0u) { b = B[n * p.K + k]; } else { b = B[k * p.N + n]; }
    if (p.hasA != 0u) { b *= a[k]; }
    acc += b;
  }
  partial[wid.y * p.N + n] = acc;
}`,
};

const FINISH = {
  kernel: 'splitFinish',
  bindings: ['rw', 'read', 'read'] as const,
  params: true,
  code: /* wgsl */ `
struct P { n: u32, cols: u32, splits: u32, hasBias: u32, accumulate: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(${GEMV_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${GEMV_WG}u;
  if (i >= p.n) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) { s += partial[z * p.n + i]; }
  var v = p.alpha * s;
  if (p.hasBias != 0u) { v += bias[i % p.cols]; }
  if (p.accumulate != 0u) { v += out[i]; }
  out[i] = v;
}`,
};

/** Who a dispatch is counted and timed as: the calling kernel, and its path if it has several. */
export interface Label {
  readonly kernel: string;
  readonly path?: string;
}

const labelled = new WeakMap<ShaderSpec, Map<string, ShaderSpec>>();

/** `spec` under the caller's name (same WGSL, so the same cached pipeline). */
export function as(spec: ShaderSpec, label: Label): ShaderSpec {
  let byLabel = labelled.get(spec);
  if (!byLabel) {
    byLabel = new Map();
    labelled.set(spec, byLabel);
  }
  const key = `${label.kernel}:${label.path ?? ''}`;
  let hit = byLabel.get(key);
  if (!hit) {
    hit = { ...spec, kernel: label.kernel, path: label.path };
    byLabel.set(key, hit);
  }
  return hit;
}

export interface Epilogue {
  readonly alpha: number;
  readonly bias: Binding | null;
  readonly accumulate: boolean;
}

/** out[i] = alpha · Σ_z partial[z, i] (+ bias[i % cols]) (+ out[i]) for i < n. */
export function encodeSplitFinish(
  rt: GpuRuntime,
  label: Label,
  out: Binding,
  partial: Binding,
  n: number,
  cols: number,
  splits: number,
  e: Epilogue,
): void {
  rt.dispatch(
    as(FINISH, label),
    [out, partial, e.bias ?? rt.placeholder()],
    rt.grid(Math.ceil(n / GEMV_WG)),
    params()
      .u32(n)
      .u32(cols)
      .u32(splits)
      .u32(e.bias ? 1 : 0)
      .u32(e.accumulate ? 1 : 0)
      .f32(e.alpha),
  );
}

/**
 * out[n] = alpha · Σ_k a[k] · B(k, n) + epilogue, where B(k, n) is B[k·N + n] or, with
 * `transB`, B[n·K + k]; `a` null means a ≡ 1 (column sums of a [K, N] matrix).
 */
export function encodeGemv(
  rt: GpuRuntime,
  label: Label,
  out: Binding,
  a: Binding | null,
  B: Binding,
  N: number,
  K: number,
  transB: boolean,
  e: Epilogue,
): void {
  if (N === 0) return;
  const colGroups = Math.ceil(N / GEMV_WG);
  // About 256 workgroups in all, each range at least 64 long.
  const splits = Math.max(1, Math.min(Math.ceil(256 / colGroups), Math.ceil(K / 64)));
  const chunk = Math.max(1, Math.ceil(K / splits));
  const used = Math.max(1, Math.ceil(K / chunk));
  const partial = rt.scratch('gemv.partial', used * N * 4);
  rt.dispatch(
    as(GEMV, label),
    [partial, a ?? rt.placeholder(), B],
    [colGroups, used],
    params()
      .u32(N)
      .u32(K)
      .u32(chunk)
      .u32(a ? 1 : 0)
      .u32(transB ? 1 : 0),
  );
  encodeSplitFinish(rt, label, out, partial, N, N, K === 0 ? 0 : used, e);
}
