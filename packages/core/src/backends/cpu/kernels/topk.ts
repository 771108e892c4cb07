import type { Tensor } from '../../../backend/tensor.js';
import { type CpuContext, matrix } from '../context.js';

/**
 * Per row: the k largest scores (descending; ties to the lower column), or index −1 / value 0
 * for slots beyond the number of (unmasked) candidates.
 *
 * A selection, not a sort: a min-heap of the best k seen so far whose root is the current
 * k-th best. Columns are scanned in ascending order, so a later column only displaces the
 * root when strictly greater (on a tie the earlier, lower index already holds its place).
 * Cost O(m + k·log k·log(m/k)) per row on typical data.
 */
export function topk(
  ctx: CpuContext,
  values: Tensor,
  indices: Tensor,
  scores: Tensor,
  mask?: Tensor,
): void {
  const vOut = ctx.f32(values);
  const iOut = ctx.i32(indices);
  const s = ctx.f32(scores);
  const [B, m] = matrix(scores);
  const k = matrix(values)[1];
  // The competing columns, listed once per call: all of them, or the unmasked ones.
  let cols: Int32Array | undefined;
  let nc = m;
  if (mask !== undefined) {
    const mk = ctx.data(mask);
    cols = ctx.scratchI32('topk.columns', m);
    nc = 0;
    for (let c = 0; c < m; c++) if (mk[c] !== 0) cols[nc++] = c;
  }
  const hv = ctx.scratchF32('topk.values', k);
  const hi = ctx.scratchI32('topk.indices', k);
  const fillTo = Math.min(k, nc);
  // The extra pass reads past a typed array's end or writes outside it (ignored).
  // Stryker disable next-line EqualityOperator: equivalent, see above
  for (let r = 0; r < B; r++) {
    const row = r * m;
    let n = 0;
    for (; n < fillTo; n++) {
      const c = cols === undefined ? n : cols[n];
      heapPush(hv, hi, n, s[row + c], c);
    }
    // With n < k every candidate is in the heap already (the loop runs from n = nc), and k = 0 has
    // no root to displace.
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, see above
    if (n === k && k > 0) {
      let threshold = hv[0];
      for (let t = n; t < nc; t++) {
        const c = cols === undefined ? t : cols[t];
        const v = s[row + c];
        if (v > threshold) {
          hv[0] = v;
          hi[0] = c;
          siftDown(hv, hi, n, 0);
          threshold = hv[0];
        }
      }
    }
    // Pop the heap worst-first into the output back to front, giving descending order.
    const base = r * k;
    // The extra pass writes the next row's slot, which that row overwrites, or past the end.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    for (let j = n; j < k; j++) {
      vOut[base + j] = 0;
      iOut[base + j] = -1;
    }
    for (let j = n - 1; j >= 0; j--) {
      vOut[base + j] = hv[0];
      iOut[base + j] = hi[0];
      hv[0] = hv[j];
      hi[0] = hi[j];
      siftDown(hv, hi, j, 0);
    }
  }
}

/** a ranks below b: smaller value, or equal value and higher index (the tie loser). */
function worse(av: number, ai: number, bv: number, bi: number): boolean {
  // Stryker disable next-line EqualityOperator: equivalent: two heap entries never share a column
  return av < bv || (av === bv && ai > bi);
}

function heapPush(hv: Float32Array, hi: Int32Array, n: number, v: number, c: number): void {
  let i = n;
  // At i = 0 the parent index is -1, whose undefined entry never ranks below.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!worse(v, c, hv[p], hi[p])) break;
    hv[i] = hv[p];
    hi[i] = hi[p];
    i = p;
  }
  hv[i] = v;
  hi[i] = c;
}

function siftDown(hv: Float32Array, hi: Int32Array, n: number, i: number): void {
  const v = hv[i];
  const c = hi[i];
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const w = r < n && worse(hv[r], hi[r], hv[l], hi[l]) ? r : l;
    if (!worse(hv[w], hi[w], v, c)) break;
    hv[i] = hv[w];
    hi[i] = hi[w];
    i = w;
  }
  hv[i] = v;
  hi[i] = c;
}
