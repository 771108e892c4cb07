import type { Tensor } from '@saekit/core';
import { expectSize, own } from '../check.js';

/** counter = fired > 0 ? 0 : counter + increment (tokens since each latent last fired). */
export function staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
  const C = own('staleCounter', 'counter', counter).data;
  const F = own('staleCounter', 'fired', fired).data;
  expectSize('staleCounter', 'fired', fired, counter.size);
  for (let i = 0; i < C.length; i++) C[i] = F[i] > 0 ? 0 : C[i] + increment;
}
