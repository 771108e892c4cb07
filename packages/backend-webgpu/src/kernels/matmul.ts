import { type MatmulOptions, ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu, matrix } from './common.js';
import { encodeGemv, encodeSplitFinish } from './gemv.js';
import { matmulBlockedCode } from './matmul-blocked.js';
import { MIN_SUBGROUP, matmulSubgroupCode } from './matmul-subgroup.js';
import { matmulTiledCode, splitCount, TILE } from './matmul-tiled.js';

/**
 * The matmul implementations, by `ShaderSpec.path` (what `kernelPaths()` counts): 'blocked'
 * on the software set; on the GPU set 'subgroup' where the device has subgroups of at least
 * 8 lanes, else 'tiled' (`createWebGpuBackend({ subgroups: false })` forces it).
 */
type Variant = 'blocked' | 'tiled' | 'subgroup';

interface MatmulShader {
  kernel: 'matmul';
  path: string;
  code: string;
  bindings: readonly ('rw' | 'read')[];
  params: true;
}
const shaders = new Map<string, MatmulShader>();

/** The variant for this runtime: chosen here only, from the kernel set and the device. */
function variant(rt: GpuRuntime): Variant {
  if (rt.software) return 'blocked';
  return rt.subgroups !== null && rt.subgroups.min >= MIN_SUBGROUP ? 'subgroup' : 'tiled';
}

const CODE: Record<Variant, (tA: boolean, tB: boolean, v4A: boolean, v4B: boolean) => string> = {
  blocked: (tA, tB, v4A, v4B) => matmulBlockedCode(tA, tB, v4A && v4B),
  tiled: matmulTiledCode,
  subgroup: matmulSubgroupCode,
};

// Small outputs over a long K run the GPU kernels in K ranges, then one pass adding them:
// counted apart ('split-k' for the tiled kernel, 'subgroup-split-k'), as the conformance
// suite must reach both.
const SPLIT_PATH: Record<Variant, string> = {
  blocked: 'blocked',
  tiled: 'split-k',
  subgroup: 'subgroup-split-k',
};

function shader(
  v: Variant,
  split: boolean,
  transA: boolean,
  transB: boolean,
  vec4A: boolean,
  vec4B: boolean,
): MatmulShader {
  const key = `${v}${split}${transA}${transB}${vec4A}${vec4B}`;
  let s = shaders.get(key);
  if (!s) {
    const code = CODE[v](transA, transB, vec4A, vec4B);
    // Split or not, the code is the same text (so one pipeline); only the label differs.
    s = {
      kernel: 'matmul',
      path: split ? SPLIT_PATH[v] : v,
      code,
      bindings:
        v === 'blocked' ? ['rw', 'read', 'read', 'read'] : ['rw', 'read', 'read', 'read', 'rw'],
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
  const epilogue = { alpha: o.alpha ?? 1, bias, accumulate: !!o.accumulate };
  if (M === 0 || N === 0) return;
  // One output row (the b_dec gradient): a split-K matrix-vector product on every adapter.
  if (M === 1) {
    encodeGemv(rt, { kernel: 'matmul', path: 'gemv' }, c, at, bt, N, K, !!o.transB, epilogue);
    return;
  }
  const v = variant(rt);
  const blocked = v === 'blocked';
  // vec4 along each operand's contiguous dimension when it is a multiple of 4 (the blocked
  // kernel reads both along K, so it needs A row-major and B transposed).
  const vec4A = blocked ? !o.transA && K % 4 === 0 : (o.transA ? M : K) % 4 === 0;
  const vec4B = blocked ? !!o.transB && K % 4 === 0 : (o.transB ? K : N) % 4 === 0;
  const tile = blocked ? 32 : TILE;
  const gx = Math.ceil(N / tile);
  const gy = Math.ceil(M / tile);
  if (gx > rt.maxGroups || gy > rt.maxGroups) {
    throw new ShapeError(`webgpu matmul: [${M}, ${N}] output needs more workgroups than allowed`);
  }
  const p = params()
    .u32(M)
    .u32(N)
    .u32(K)
    .u32(bias ? 1 : 0)
    .u32(o.accumulate ? 1 : 0)
    .f32(epilogue.alpha);
  if (blocked) {
    const sh = shader(v, false, !!o.transA, !!o.transB, vec4A, vec4B);
    rt.dispatch(sh, [c, at, bt, bias ?? rt.placeholder()], [gx, gy], p);
    return;
  }
  const splits = splitCount(M, N, K, rt.maxBinding);
  const chunk = Math.ceil(Math.ceil(K / splits) / 8) * 8;
  const used = Math.max(1, Math.ceil(K / Math.max(chunk, 1)));
  // Unused without a split; a buffer of its own, since the bias placeholder is bound read-only.
  const partial = rt.scratch('matmul.partial', used > 1 ? used * M * N * 4 : 16);
  const sh = shader(v, used > 1, !!o.transA, !!o.transB, vec4A, vec4B);
  rt.dispatch(
    sh,
    [c, at, bt, bias ?? rt.placeholder(), partial],
    [gx, gy, used],
    p.u32(used).u32(Math.max(chunk, 8)),
  );
  if (used > 1) encodeSplitFinish(rt, sh, c, partial, M * N, N, used, epilogue);
}
