import type { Tensor } from '@saekit/core';
import { f32, i32 } from '../host.js';
import { checkRow } from './gather-sum.js';

/** out[indices[b,j]] += values[b,j] over every slot; empty slots are skipped. */
export function scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
  const O = f32(out);
  const I = i32(indices);
  const V = f32(values);
  for (let s = 0; s < I.length; s++) {
    const i = I[s];
    if (i < 0) continue;
    checkRow('scatterAdd', i, O.length);
    O[i] += V[s];
  }
}
