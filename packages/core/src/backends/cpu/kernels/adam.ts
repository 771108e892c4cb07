import type { AdamOptions } from '../../../backend/backend.js';
import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/**
 * One Adam step with PyTorch's bias corrections on g' = gradScale · grad, in place:
 * m = β1 m + (1−β1) g'; v = β2 v + (1−β2) g'²; p −= lr · m̂ / (sqrt(v̂) + eps).
 */
export function adam(
  ctx: CpuContext,
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  options: AdamOptions,
): void {
  const p = ctx.f32(param);
  const g = ctx.f32(grad);
  const ms = ctx.f32(m);
  const vs = ctx.f32(v);
  const { lr, beta1, beta2, eps, step } = options;
  const scale = options.gradScale === undefined ? 1 : ctx.scale(options.gradScale);
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let i = 0; i < p.length; i++) {
    const gi = scale * g[i];
    const mi = beta1 * ms[i] + (1 - beta1) * gi;
    const vi = beta2 * vs[i] + (1 - beta2) * gi * gi;
    ms[i] = mi;
    vs[i] = vi;
    p[i] -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
