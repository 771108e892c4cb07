import { asMatrix, type MatmulOptions, type Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * out = alpha · op(a) · op(b) + bias [+ out], on the context's provider of dense products: a
 * CBLAS library in place, or ORT's MLAS (gemm/). Either way nothing of size [M, N] is
 * allocated per call.
 */
export function matmul(
  ctx: OrtContext,
  out: Tensor,
  a: Tensor,
  b: Tensor,
  options: MatmulOptions = {},
): void {
  const transA = options.transA === true;
  const transB = options.transB === true;
  const [ar, ac] = asMatrix(a);
  const [br, bc] = asMatrix(b);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const N = transB ? br : bc;
  if (M === 0 || N === 0 || K === 0) {
    // ORT refuses empty operands and BLAS needs leading dimensions ≥ 1; the product is empty
    // or zero, so the reference loop does it.
    ctx.reference.matmul(out, a, b, options);
    return;
  }
  ctx.gemm.run(ctx, out, a, b, {
    ar,
    ac,
    br,
    bc,
    M,
    N,
    K,
    transA,
    transB,
    alpha: options.alpha ?? 1,
    accumulate: options.accumulate === true,
    bias: options.bias,
  });
}
