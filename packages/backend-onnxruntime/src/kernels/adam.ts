import type { AdamOptions, Tensor } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * One Adam step (PyTorch semantics) in one SIMD pass over param, grad, m and v, split over the
 * pool's threads. The bias
 * corrections are folded into the step size and epsilon:
 * lr·(m/bc1)/(sqrt(v/bc2)+eps) = (lr·sqrt(bc2)/bc1)·m/(sqrt(v)+eps·sqrt(bc2)).
 */
export function adam(
  ctx: OrtContext,
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  options: AdamOptions,
): void {
  const { lr, beta1, beta2, eps, step } = options;
  const scale = options.gradScale === undefined ? 1 : ctx.scale(options.gradScale);
  const bc1 = 1 - beta1 ** step;
  const sbc2 = Math.sqrt(1 - beta2 ** step);
  const [p, g, mp, vp] = [ctx.ptr(param), ctx.ptr(grad), ctx.ptr(m), ctx.ptr(v)];
  const lrT = (lr * sbc2) / bc1;
  const epsT = eps * sbc2;
  ctx.pool.run(
    'adam',
    ctx.elementRanges(param.size).map(([a, e]) => {
      const at = a * 4;
      return [p + at, g + at, mp + at, vp + at, e - a, scale, beta1, beta2, lrT, epsT];
    }),
  );
}
