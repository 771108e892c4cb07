import type { Tensor } from '@saekit/core';
import { f32, i32, matrix } from '../host.js';

/**
 * Per row: sort the candidate columns by (value descending, index ascending) and keep the
 * first k. O(m log m) per row where a real backend would use a heap or a selection, but
 * the order it defines is exactly the contract's, ties included.
 */
export function topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
  const S = f32(scores);
  const V = f32(values);
  const I = i32(indices);
  const [rows, m] = matrix(scores);
  const [, k] = matrix(values);
  let candidates = Array.from({ length: m }, (_, c) => c);
  if (mask !== undefined) {
    const M = f32(mask);
    candidates = candidates.filter((c) => M[c] !== 0);
  }
  for (let r = 0; r < rows; r++) {
    const row = S.subarray(r * m, (r + 1) * m);
    const order = [...candidates].sort((x, y) => row[y] - row[x] || x - y);
    for (let j = 0; j < k; j++) {
      const c = j < order.length ? order[j] : -1;
      I[r * k + j] = c;
      V[r * k + j] = c < 0 ? 0 : row[c];
    }
  }
}
