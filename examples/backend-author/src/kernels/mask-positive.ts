import type { Tensor } from '@saekit/core';
import { expectSize, f32 } from '../check.js';

/** out = ref > 0 ? grad : 0 (the ReLU backward). */
export function maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
  const O = f32('maskPositive', 'out', out);
  const G = f32('maskPositive', 'grad', grad);
  const R = f32('maskPositive', 'ref', ref);
  expectSize('maskPositive', 'out', out, grad.size);
  expectSize('maskPositive', 'ref', ref, grad.size);
  for (let i = 0; i < G.length; i++) O[i] = R[i] > 0 ? G[i] : 0;
}
