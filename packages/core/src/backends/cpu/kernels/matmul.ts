import type { MatmulOptions } from '../../../backend/backend.js';
import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/** Rows of the right operand kept hot per block (bytes = JB · depth · 4, ~L2 sized). */
const L2_FLOATS = 32 * 1024;

/**
 * out = alpha · op(a) · op(b) + bias [+ out].
 *
 * Every transpose case is reduced to one inner kernel, C[i, j] = ⟨Ap[i], Bp[j]⟩ with both
 * packed operands row-major over the shared dimension: op(a) is packed [M, D] and op(b)ᵀ is
 * packed [N, D] (a transpose copy only when the stored layout differs, O(size) against the
 * O(M·N·D) product). The dot loop is 4×4 register-blocked and accumulates in float64, then
 * rounds once, so results are independent of blocking and bit-reproducible.
 */
export function matmul(
  ctx: CpuContext,
  out: Tensor,
  a: Tensor,
  b: Tensor,
  options: MatmulOptions = {},
): void {
  const o = ctx.f32(out);
  const av = ctx.f32(a);
  const bv = ctx.f32(b);
  const [ar, ac] = matrix(a);
  const [br, bc] = matrix(b);
  const transA = options.transA === true;
  const transB = options.transB === true;
  const [M, D] = transA ? [ac, ar] : [ar, ac];
  const N = transB ? br : bc;
  const bias = options.bias === undefined ? undefined : ctx.f32(options.bias);
  const alpha = options.alpha ?? 1;
  const accumulate = options.accumulate === true;

  const ap = transA ? transpose(ctx.scratchF32('matmul.a', M * D), av, D, M) : av;
  const bp = transB ? bv : transpose(ctx.scratchF32('matmul.b', N * D), bv, D, N);
  dotKernel(o, ap, bp, M, N, D, alpha, bias, accumulate);
}

/** dst [cols, rows] = srcᵀ for src [rows, cols], in cache-sized tiles. */
function transpose(dst: Float32Array, src: Float32Array, rows: number, cols: number): Float32Array {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const s = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c];
      }
    }
  }
  return dst;
}

function dotKernel(
  o: Float32Array,
  ap: Float32Array,
  bp: Float32Array,
  M: number,
  N: number,
  D: number,
  alpha: number,
  bias: Float32Array | undefined,
  accumulate: boolean,
): void {
  const store = (i: number, j: number, dot: number) => {
    const at = i * N + j;
    let v = alpha * dot;
    if (bias !== undefined) v += bias[j];
    if (accumulate) v += o[at];
    o[at] = v;
  };
  // Block the columns so the JB packed rows of op(b)ᵀ stay in cache while every row of op(a)
  // streams past them.
  const JB = Math.max(4, Math.floor(L2_FLOATS / Math.max(D, 1)) & ~3);
  for (let j0 = 0; j0 < N; j0 += JB) {
    const j1 = Math.min(N, j0 + JB);
    const j4 = j0 + ((j1 - j0) & ~3);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const a0 = i * D;
      const a1 = a0 + D;
      const a2 = a1 + D;
      const a3 = a2 + D;
      let j = j0;
      // biome-ignore format: the 4×4 register block reads best as a grid
      for (; j < j4; j += 4) {
        const b0 = j * D, b1 = b0 + D, b2 = b1 + D, b3 = b2 + D;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0; p < D; p++) {
          const x0 = ap[a0 + p], x1 = ap[a1 + p], x2 = ap[a2 + p], x3 = ap[a3 + p];
          const y0 = bp[b0 + p], y1 = bp[b1 + p], y2 = bp[b2 + p], y3 = bp[b3 + p];
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        store(i, j, c00); store(i, j + 1, c01); store(i, j + 2, c02); store(i, j + 3, c03);
        store(i + 1, j, c10); store(i + 1, j + 1, c11); store(i + 1, j + 2, c12); store(i + 1, j + 3, c13);
        store(i + 2, j, c20); store(i + 2, j + 1, c21); store(i + 2, j + 2, c22); store(i + 2, j + 3, c23);
        store(i + 3, j, c30); store(i + 3, j + 1, c31); store(i + 3, j + 2, c32); store(i + 3, j + 3, c33);
      }
      for (; j < j1; j++) {
        const b0 = j * D;
        let c0 = 0,
          c1 = 0,
          c2 = 0,
          c3 = 0;
        for (let p = 0; p < D; p++) {
          const y = bp[b0 + p];
          c0 += ap[a0 + p] * y;
          c1 += ap[a1 + p] * y;
          c2 += ap[a2 + p] * y;
          c3 += ap[a3 + p] * y;
        }
        store(i, j, c0);
        store(i + 1, j, c1);
        store(i + 2, j, c2);
        store(i + 3, j, c3);
      }
    }
    for (; i < M; i++) {
      const a0 = i * D;
      for (let j = j0; j < j1; j++) {
        const b0 = j * D;
        let c = 0;
        for (let p = 0; p < D; p++) c += ap[a0 + p] * bp[b0 + p];
        store(i, j, c);
      }
    }
  }
}
