import type { AdamOptions, Tensor } from '@saekit/core';
import { f32 } from '../host.js';
import { scaleValue } from './scale.js';

/** One Adam step with PyTorch's bias corrections, on g = gradScale · grad, in place. */
export function adam(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  options: AdamOptions,
): void {
  const { lr, beta1, beta2, eps, step, gradScale = 1 } = options;
  const P = f32(param);
  const G = f32(grad);
  const M = f32(m);
  const V = f32(v);
  const s = scaleValue(gradScale);
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  for (let i = 0; i < P.length; i++) {
    const g = s * G[i];
    M[i] = beta1 * M[i] + (1 - beta1) * g;
    V[i] = beta2 * V[i] + (1 - beta2) * g * g;
    P[i] -= (lr * (M[i] / c1)) / (Math.sqrt(V[i] / c2) + eps);
  }
}
