import { type AdamOptions, ShapeError, type Tensor } from '@saekit/core';
import { expectSize, f32 } from '../check.js';
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
  if (!Number.isInteger(step) || step < 1) {
    throw new ShapeError(`naive.adam: step must be an integer ≥ 1 (it is 1-based), got ${step}`);
  }
  const P = f32('adam', 'param', param);
  const G = f32('adam', 'grad', grad);
  const M = f32('adam', 'm', m);
  const V = f32('adam', 'v', v);
  for (const [name, t] of [
    ['grad', grad],
    ['m', m],
    ['v', v],
  ] as const) {
    expectSize('adam', name, t, param.size);
  }
  const s = scaleValue('adam', gradScale);
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  for (let i = 0; i < P.length; i++) {
    const g = s * G[i];
    M[i] = beta1 * M[i] + (1 - beta1) * g;
    V[i] = beta2 * V[i] + (1 - beta2) * g * g;
    P[i] -= (lr * (M[i] / c1)) / (Math.sqrt(V[i] / c2) + eps);
  }
}
