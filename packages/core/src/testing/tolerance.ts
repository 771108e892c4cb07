/**
 * The conformance suite's one tolerance rule.
 *
 * Each float element a kernel produces is compared with a float64 oracle computed from the very
 * same float32 inputs. The oracle also reports, per element, how many terms were summed into
 * it (`terms`) and the sum of their absolute values (`magnitude`). The check is
 *
 *     |got − ref| ≤ atol + rtol · √terms · magnitude
 *
 * Why this shape: a float32 sum of n terms is off by about u·√n·Σ|t| on random-sign data
 * (u = 2⁻²⁴ ≈ 6e-8; the worst case is u·n·Σ|t|), whatever order or tiling the backend
 * uses, so the bound scales with the reduction instead of punishing long sums. For an
 * elementwise result terms = 1 and magnitude is the size of its inputs' contributions, so it
 * is a plain relative tolerance. A real bug (a dropped term, an off-by-one row, a missing
 * accumulate) moves an element by about one term, Σ|t|/n, which stays far above the bound
 * for the sizes the suite uses.
 *
 * Integer outputs (top-k indices) are compared exactly. So are top-k values and kthLargest:
 * those kernels only compare and copy their float32 inputs, so no rounding can reorder a tie,
 * and the suite gives them inputs uploaded bit for bit. Where a score comes out of arithmetic
 * (a matmul feeding a top-k, as in training steps), near-ties may legitimately swap; such a
 * check must compare the selected values with the oracle's values, not the indices.
 */
export interface Tolerance {
  /** Absolute floor, for results that should be (close to) zero. Default 1e-6. */
  readonly atol: number;
  /** Relative factor on √terms · magnitude. Default 2e-6 (about 32 float32 ulps). */
  readonly rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 2e-6 };

/** What the oracle returns for a float output: values and, per element, terms and magnitude. */
export interface Expected {
  readonly ref: Float64Array;
  readonly magnitude: Float64Array;
  /** Number of terms per element; a single number when all elements share it. */
  readonly terms: Float64Array | number;
}

export function bound(tol: Tolerance, terms: number, magnitude: number): number {
  return tol.atol + tol.rtol * Math.sqrt(Math.max(terms, 1)) * magnitude;
}

export interface Mismatch {
  readonly index: number;
  readonly got: number;
  readonly ref: number;
  readonly allowed: number;
}

/** Elements outside the bound (NaN on either side counts as outside unless both are NaN). */
export function mismatches(got: ArrayLike<number>, exp: Expected, tol: Tolerance): Mismatch[] {
  const out: Mismatch[] = [];
  for (let i = 0; i < exp.ref.length; i++) {
    const t = typeof exp.terms === 'number' ? exp.terms : exp.terms[i];
    const allowed = bound(tol, t, exp.magnitude[i]);
    const g = got[i];
    const r = exp.ref[i];
    if (Number.isNaN(g) && Number.isNaN(r)) continue;
    if (g === r) continue; // equal infinities
    if (!(Math.abs(g - r) <= allowed)) out.push({ index: i, got: g, ref: r, allowed });
  }
  return out;
}
