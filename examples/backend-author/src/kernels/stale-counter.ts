import type { Tensor } from '@saekit/core';
import { own } from '../host.js';

/** counter = fired > 0 ? 0 : counter + increment (tokens since each latent last fired). */
export function staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
  const C = own(counter).data;
  const F = own(fired).data;
  for (let i = 0; i < C.length; i++) C[i] = F[i] > 0 ? 0 : C[i] + increment;
}
