import type { Tensor } from '@saekit/core';
import { own } from '../check.js';

export function fill(out: Tensor, value: number): void {
  own('fill', 'out', out).data.fill(value);
}
