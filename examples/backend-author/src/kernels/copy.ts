import type { Tensor } from '@saekit/core';
import { expectSize, own } from '../check.js';

export function copy(out: Tensor, src: Tensor): void {
  const o = own('copy', 'out', out, src.dtype);
  expectSize('copy', 'out', out, src.size);
  o.data.set(own('copy', 'src', src).data);
}
