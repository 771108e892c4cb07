import type { AdamOptions } from '../../../backend/backend.js';
import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, describe, shapeError } from '../context.js';

const K = 'adam';

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
  const p = ctx.f32(param, K, 'param');
  const g = ctx.f32(grad, K, 'grad');
  const ms = ctx.f32(m, K, 'm');
  const vs = ctx.f32(v, K, 'v');
  sameSize('grad', grad, param);
  sameSize('m', m, param);
  sameSize('v', v, param);
  if (param === grad || param === m || param === v || grad === m || grad === v || m === v) {
    throw shapeError(K, 'param, grad, m and v must be four distinct tensors');
  }
  const { lr, beta1, beta2, eps, step } = options;
  if (!Number.isInteger(step) || step < 1)
    throw shapeError(K, `step ${step} must be an integer ≥ 1`);
  const scale = options.gradScale === undefined ? 1 : ctx.scale(options.gradScale, K, 'gradScale');
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < p.length; i++) {
    const gi = scale * g[i];
    const mi = beta1 * ms[i] + (1 - beta1) * gi;
    const vi = beta2 * vs[i] + (1 - beta2) * gi * gi;
    ms[i] = mi;
    vs[i] = vi;
    p[i] -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}

function sameSize(arg: string, t: Tensor, param: Tensor): void {
  if (t.size !== param.size) {
    throw shapeError(K, `${arg} ${describe(t)} must have the size of param ${describe(param)}`);
  }
}
