import { type MatmulOptions, ShapeError, type Tensor } from '@saekit/core';
import { type GpuRuntime, params } from '../runtime.js';
import { gpu, matrix } from './common.js';
import { as, encodeGemv, encodeSplitFinish } from './gemv.js';
import { matmulBlockedCode } from './matmul-blocked.js';
import { matmulTiledCode, splitCount, TILE } from './matmul-tiled.js';

interface MatmulShader {
  kernel: string;
  path: string;
  code: string;
  bindings: readonly ('rw' | 'read')[];
  params: true;
}
const shaders = new Map<string, MatmulShader>();
// Small outputs over a long K: the tiled kernel in K ranges, then one pass adding them.
const SPLIT = { kernel: 'matmul', path: 'split-k' };

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
        : matmulTiledCode(transA, transB, vec4A, vec4B),
      bindings: blocked ? ['rw', 'read', 'read', 'read'] : ['rw', 'read', 'read', 'read', 'rw'],
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
  const blocked = rt.software;
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
  const sh = shader(!!o.transA, !!o.transB, vec4A, vec4B, blocked);
  const p = params()
    .u32(M)
    .u32(N)
    .u32(K)
    .u32(bias ? 1 : 0)
    .u32(o.accumulate ? 1 : 0)
    .f32(epilogue.alpha);
  if (blocked) {
    rt.dispatch(sh, [c, at, bt, bias ?? rt.placeholder()], [gx, gy], p);
    return;
  }
  const splits = splitCount(M, N, K, rt.maxBinding);
  const chunk = Math.ceil(Math.ceil(K / splits) / 8) * 8;
  const used = Math.max(1, Math.ceil(K / Math.max(chunk, 1)));
  // Unused without a split; a buffer of its own, since the bias placeholder is bound read-only.
  const partial = rt.scratch('matmul.partial', used > 1 ? used * M * N * 4 : 16);
  rt.dispatch(
    used > 1 ? as(sh, SPLIT) : sh,
    [c, at, bt, bias ?? rt.placeholder(), partial],
    [gx, gy, used],
    p.u32(used).u32(Math.max(chunk, 8)),
  );
  if (used > 1) encodeSplitFinish(rt, SPLIT, c, partial, M * N, N, used, epilogue);
}
