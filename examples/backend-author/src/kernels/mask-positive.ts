import type { Tensor } from '@saekit/core';
import { f32 } from '../host.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward). */
export function maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
  const O = f32(out);
  const G = f32(grad);
  const R = f32(ref);
  for (let i = 0; i < G.length; i++) O[i] = R[i] > 0 ? G[i] : 0;
}
