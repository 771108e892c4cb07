import type { Scale } from './scale.js';
import type { Tensor } from './tensor.js';

/**
 * What every kernel computes, as the positional signature a caller uses and a backend
 * implements. Arguments are validated once, in core, from the declarations in
 * kernel-specs.ts before a backend's implementation runs, so an implementation is pure math.
 *
 * Conventions every kernel follows (the conformance suite checks each one):
 * - Destination passing: the first argument is the tensor written. An `out` never aliases an
 *   input unless its declaration says so, and kernels allocate nothing.
 * - Matrices are row-major. A 1-D tensor [n] passed where a matrix is expected is the row
 *   vector [1, n].
 * - Weight matrices are latent-major ([m, d]), so every sparse kernel is a row gather or a
 *   row scatter.
 * - Sparse codes are (values [B, k] float32, indices [B, k] int32). An index < 0 marks an
 *   empty slot: gathers read it as zero and scatters skip it. This lets a masked top-k with
 *   fewer candidates than k, or a BatchTopK row with fewer actives than its cap, share the
 *   same kernels without a read-back to size anything.
 */
export interface KernelSignatures {
  // ---- dense ----------------------------------------------------------------------------
  fill(out: Tensor, value: number): void;
  copy(out: Tensor, src: Tensor): void;
  /**
   * out = alpha · op(a) · op(b) + bias (row vector, broadcast over rows) [+ out when
   * `accumulate`], where op transposes when transA / transB.
   */
  matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void;

  // ---- selection ------------------------------------------------------------------------
  /**
   * Per row of `scores` [B, m]: the k = values.shape[1] largest values, in descending order,
   * and their column indices; ties go to the lower index. With `mask` [m], only columns with
   * mask ≠ 0 compete; slots beyond the number of candidates hold index −1 and value 0.
   */
  topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void;
  /** out[offset] = the n-th largest element of x over all its elements (n is 1-based). */
  kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void;

  // ---- sparse (row gathers and scatters) ------------------------------------------------
  /** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]]     out [B, d], weight [m, d] */
  gatherSum(out: Tensor, values: Tensor, indices: Tensor, weight: Tensor, bias?: Tensor): void;
  /** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩ (0 for empty slots)   out [B, k] */
  gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void;
  /** weight[indices[b,j]] += values[b,j] · x[b], in place; duplicate indices accumulate. */
  scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void;
  /** out[indices[b,j]] += values[b,j], in place, out 1-D [m]; duplicates accumulate. */
  scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void;

  // ---- reductions -----------------------------------------------------------------------
  /** out[c] = Σ_r x[r, c] (+ out[c] when `accumulate`)   out [cols] */
  columnSums(out: Tensor, x: Tensor, accumulate?: boolean): void;
  /**
   * out[offset] = (out[offset] when `accumulate`) + reduction of x, where
   * 'sum' = Σ x, 'sumSquares' = Σ x², 'sumSquaresCentered' = Σ_r ‖x[r] − mean_r x[r]‖².
   */
  reduce(out: Tensor, offset: number, x: Tensor, op: ReduceOp, accumulate?: boolean): void;

  // ---- elementwise ----------------------------------------------------------------------
  /**
   * out = a·x + b·y. When y has as many elements as a row of x (and fewer than x), y is a
   * row vector broadcast over the rows of x. out may alias x or y.
   */
  axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void;
  /** out = ref > 0 ? grad : 0 (the ReLU backward). out may alias grad or ref. */
  maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void;
  /** out = x > threshold ? 1 : 0 */
  greaterThan(out: Tensor, x: Tensor, threshold: number): void;
  /**
   * Per latent (`index` undefined, JumpReLU): out = (x > t and x > 0) ? x : 0 with
   * t = threshold[column of x]; strict, as SAELens and Gemma Scope compare.
   * Device scalar (BatchTopK's batch cut): out = (x ≥ t and x > 0) ? x : 0 with
   * t = threshold[index], which is itself the (B·k)-th largest value and must be kept.
   * out may alias x.
   */
  thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void;
  /**
   * out = eˣ elementwise; out may alias x. e^±0 = 1 exactly; x > 88.7228 (beyond float32's
   * largest value) gives +∞; results below float32's smallest normal (x < −87.3365) may be
   * flushed to 0, as GPUs do, and x ≤ −104 gives exactly 0. (JumpReLU's threshold θ is trained
   * in log space: θ ← θ·exp(Δ log θ).)
   */
  exp(out: Tensor, x: Tensor): void;
  /** counter = fired > 0 ? 0 : counter + increment, in place (tokens since a latent fired). */
  staleCounter(counter: Tensor, fired: Tensor, increment: number): void;

  // ---- optimizer and constraints --------------------------------------------------------
  /**
   * One Adam step (PyTorch semantics) on g' = gradScale · grad, in place on param, m, v:
   * m = β1 m + (1−β1) g'; v = β2 v + (1−β2) g'²;
   * param −= lr · (m / (1−β1^step)) / (sqrt(v / (1−β2^step)) + eps).
   */
  adam(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void;
  /** weight[i] /= ‖weight[i]‖ for every row with a non-zero norm, in place. */
  normalizeRows(weight: Tensor): void;
  /** grad[i] −= ⟨grad[i], weight[i]⟩ · weight[i], in place (weight rows have unit norm). */
  removeParallel(grad: Tensor, weight: Tensor): void;
}

export interface MatmulOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly bias?: Tensor;
  readonly alpha?: number;
  readonly accumulate?: boolean;
}

export type ReduceOp = 'sum' | 'sumSquares' | 'sumSquaresCentered';
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'sumSquares', 'sumSquaresCentered'];

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** 1-based step number, for the bias corrections. */
  readonly step: number;
  readonly gradScale?: Scale;
}

export type KernelName = keyof KernelSignatures;

/** A backend's implementation of every kernel: called only with validated arguments. */
export type KernelTable = { readonly [K in KernelName]: KernelSignatures[K] };
