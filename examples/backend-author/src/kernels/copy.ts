import type { Tensor } from '@saekit/core';
import { own } from '../host.js';

export function copy(out: Tensor, src: Tensor): void {
  const o = own(out);
  o.data.set(own(src).data);
}
