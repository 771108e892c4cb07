import type { Tensor } from '@saekit/core';
import { own } from '../host.js';

export function fill(out: Tensor, value: number): void {
  own(out).data.fill(value);
}
