import type { Tensor } from '../../../backend/tensor.js';
import type { CpuContext } from '../context.js';

/**
 * out[offset] = the n-th largest element of x. Quickselect with a three-way partition on a
 * scratch copy: linear on average, and runs of equal values (many zeros after a ReLU) collapse
 * into one partition instead of degrading to quadratic time.
 */
export function kthLargest(
  ctx: CpuContext,
  out: Tensor,
  offset: number,
  x: Tensor,
  n: number,
): void {
  const o = ctx.f32(out);
  const xs = ctx.f32(x);
  const a = ctx.scratchF32('kthLargest', x.size);
  a.set(xs);
  // The n-th largest is the element of rank size − n in ascending order.
  const target = x.size - n;
  let lo = 0;
  let hi = x.size - 1;
  // At lo = hi = target one more partition of one element breaks at once.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  while (lo < hi) {
    const pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
    // Three-way partition: [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i];
      if (v < pivot) {
        a[i] = a[lt];
        a[lt] = v;
        lt++;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt];
        a[gt] = v;
        gt--;
      } else {
        i++;
      }
    }
    // A[target] already holds the pivot, its final value, and later partitions exclude it.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    if (target < lt) hi = lt - 1;
    // Stryker: `true` and `target >= gt` survive here as equivalent mutants (a disable comment
    // cannot attach to an else branch): as above, a[target] is final once inside [lt, gt].
    else if (target > gt) lo = gt + 1;
    else {
      lo = hi = target;
      break;
    }
  }
  o[offset] = a[target];
}

function medianOfThree(a: number, b: number, c: number): number {
  // Any of a, b, c is a valid pivot; the median only guards the running time.
  // Stryker disable next-line MethodExpression: equivalent, see above
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
