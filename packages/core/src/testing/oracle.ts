import type { ReduceOp } from '../backend/backend.js';
import type { Expected } from './tolerance.js';

/**
 * The backend contract in float64, written for clarity, not speed: what every conformance case
 * compares a backend against. Inputs are the exact float32 arrays uploaded to the backend.
 * Float results come with per-element term counts and magnitudes for the tolerance rule
 * (see tolerance.ts).
 */

/** A matrix as the contract reads it: row-major data with its rows and columns. */
export interface HostMatrix {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

/** A device scale as the oracle sees it: the source value already looked up. */
export type HostScale =
  | number
  | { numerator: number; sourceValue: number; sqrt?: boolean; max?: number };

export function resolveHostScale(s: HostScale): number {
  if (typeof s === 'number') return s;
  if (!(s.sourceValue > 0)) return 0;
  const v = s.numerator / (s.sqrt ? Math.sqrt(s.sourceValue) : s.sourceValue);
  return s.max === undefined ? v : Math.min(s.max, v);
}

class Accumulator {
  readonly ref: Float64Array;
  readonly magnitude: Float64Array;
  readonly terms: Float64Array;
  constructor(n: number) {
    this.ref = new Float64Array(n);
    this.magnitude = new Float64Array(n);
    this.terms = new Float64Array(n);
  }
  add(i: number, v: number): void {
    this.ref[i] += v;
    this.magnitude[i] += Math.abs(v);
    this.terms[i] += 1;
  }
  expected(): Expected {
    return { ref: this.ref, magnitude: this.magnitude, terms: this.terms };
  }
}

export interface MatmulSpec {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly bias?: ArrayLike<number>;
  /** The prior content of out, added when accumulating. */
  readonly accumulateOnto?: ArrayLike<number>;
}

/** out [M, N] = alpha · op(a) · op(b) + bias [+ prior out]. */
export function matmul(a: HostMatrix, b: HostMatrix, spec: MatmulSpec = {}): Expected {
  const aAt = (i: number, p: number) =>
    spec.transA ? a.data[p * a.cols + i] : a.data[i * a.cols + p];
  const bAt = (p: number, j: number) =>
    spec.transB ? b.data[j * b.cols + p] : b.data[p * b.cols + j];
  const M = spec.transA ? a.cols : a.rows;
  const D = spec.transA ? a.rows : a.cols;
  const N = spec.transB ? b.rows : b.cols;
  const alpha = spec.alpha ?? 1;
  const acc = new Accumulator(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const at = i * N + j;
      for (let p = 0; p < D; p++) acc.add(at, alpha * aAt(i, p) * bAt(p, j));
      if (spec.bias !== undefined) acc.add(at, spec.bias[j]);
      if (spec.accumulateOnto !== undefined) acc.add(at, spec.accumulateOnto[at]);
    }
  }
  return acc.expected();
}

export interface TopkResult {
  readonly values: Float64Array;
  readonly indices: Int32Array;
}

/** Per row: the k largest in descending order, ties to the lower column; −1 / 0 past the candidates. */
export function topk(scores: HostMatrix, k: number, mask?: ArrayLike<number>): TopkResult {
  const values = new Float64Array(scores.rows * k);
  const indices = new Int32Array(scores.rows * k).fill(-1);
  for (let r = 0; r < scores.rows; r++) {
    const cand: number[] = [];
    for (let c = 0; c < scores.cols; c++) if (mask === undefined || mask[c] !== 0) cand.push(c);
    const at = (c: number) => scores.data[r * scores.cols + c];
    cand.sort((x, y) => at(y) - at(x) || x - y);
    for (let j = 0; j < Math.min(k, cand.length); j++) {
      values[r * k + j] = at(cand[j]);
      indices[r * k + j] = cand[j];
    }
  }
  return { values, indices };
}

export function kthLargest(x: ArrayLike<number>, n: number): number {
  return Array.from(x).sort((p, q) => q - p)[n - 1];
}

/** The shared sparse code of the gather / scatter kernels: [rows, k] values and indices. */
export interface HostCode {
  readonly values: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
  readonly rows: number;
  readonly k: number;
}

/** out[b] = bias + Σ_j values[b,j] · weight[indices[b,j]] (empty slots read as zero). */
export function gatherSum(code: HostCode, weight: HostMatrix, bias?: ArrayLike<number>): Expected {
  const d = weight.cols;
  const acc = new Accumulator(code.rows * d);
  for (let b = 0; b < code.rows; b++) {
    for (let c = 0; c < d; c++) {
      if (bias !== undefined) acc.add(b * d + c, bias[c]);
    }
    for (let j = 0; j < code.k; j++) {
      const row = code.indices[b * code.k + j];
      if (row < 0) continue;
      const v = code.values[b * code.k + j];
      for (let c = 0; c < d; c++) acc.add(b * d + c, v * weight.data[row * d + c]);
    }
  }
  return acc.expected();
}

/** out[b,j] = ⟨x[b], weight[indices[b,j]]⟩, 0 for empty slots. */
export function gatherDot(
  x: HostMatrix,
  indices: ArrayLike<number>,
  k: number,
  weight: HostMatrix,
): Expected {
  const d = weight.cols;
  const acc = new Accumulator(x.rows * k);
  for (let b = 0; b < x.rows; b++) {
    for (let j = 0; j < k; j++) {
      const row = indices[b * k + j];
      if (row < 0) continue;
      for (let c = 0; c < d; c++) acc.add(b * k + j, x.data[b * d + c] * weight.data[row * d + c]);
    }
  }
  return acc.expected();
}

/** weight[indices[b,j]] += values[b,j] · x[b]: the expected weight after the kernel. */
export function scatterOuterAdd(weight: HostMatrix, code: HostCode, x: HostMatrix): Expected {
  const d = weight.cols;
  const acc = new Accumulator(weight.rows * d);
  for (let i = 0; i < weight.rows * d; i++) acc.add(i, weight.data[i]);
  for (let b = 0; b < code.rows; b++) {
    for (let j = 0; j < code.k; j++) {
      const row = code.indices[b * code.k + j];
      if (row < 0) continue;
      const v = code.values[b * code.k + j];
      for (let c = 0; c < d; c++) acc.add(row * d + c, v * x.data[b * d + c]);
    }
  }
  return acc.expected();
}

/** out[indices[i]] += values[i]: the expected out after the kernel. */
export function scatterAdd(
  out: ArrayLike<number>,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
): Expected {
  const acc = new Accumulator(out.length);
  for (let i = 0; i < out.length; i++) acc.add(i, out[i]);
  for (let s = 0; s < indices.length; s++) if (indices[s] >= 0) acc.add(indices[s], values[s]);
  return acc.expected();
}

export function columnSums(x: HostMatrix, accumulateOnto?: ArrayLike<number>): Expected {
  const acc = new Accumulator(x.cols);
  for (let c = 0; c < x.cols; c++) {
    if (accumulateOnto !== undefined) acc.add(c, accumulateOnto[c]);
    for (let r = 0; r < x.rows; r++) acc.add(c, x.data[r * x.cols + c]);
  }
  return acc.expected();
}

/** The single value reduce writes; magnitude and terms for the tolerance. */
export function reduce(x: HostMatrix, op: ReduceOp, accumulateOnto?: number): Expected {
  const acc = new Accumulator(1);
  if (accumulateOnto !== undefined) acc.add(0, accumulateOnto);
  const n = x.rows * x.cols;
  if (op === 'sum') for (let i = 0; i < n; i++) acc.add(0, x.data[i]);
  else if (op === 'sumSquares') for (let i = 0; i < n; i++) acc.add(0, x.data[i] ** 2);
  else {
    for (let c = 0; c < x.cols; c++) {
      let mean = 0;
      for (let r = 0; r < x.rows; r++) mean += x.data[r * x.cols + c];
      mean /= x.rows;
      // A rounded mean only adds rows · δ² (the first-order terms cancel over the rows), so
      // the squared deviations themselves are the right magnitude.
      for (let r = 0; r < x.rows; r++) acc.add(0, (x.data[r * x.cols + c] - mean) ** 2);
    }
  }
  return acc.expected();
}

/** out = a·x + b·y, y broadcast over the rows of x when it is one row long. */
export function axpby(a: number, x: ArrayLike<number>, b: number, y: ArrayLike<number>): Expected {
  const acc = new Accumulator(x.length);
  for (let i = 0; i < x.length; i++) {
    acc.add(i, a * x[i]);
    acc.add(i, b * y[i % y.length]);
  }
  return acc.expected();
}

export function maskPositive(grad: ArrayLike<number>, ref: ArrayLike<number>): Float64Array {
  return Float64Array.from(grad, (g, i) => (ref[i] > 0 ? g : 0));
}

/** out = eˣ in float64: one term per element, its magnitude the result itself. */
export function exp(x: ArrayLike<number>): Expected {
  const ref = Float64Array.from(x, (v) => Math.exp(v));
  return { ref, magnitude: ref, terms: 1 };
}

export function greaterThan(x: ArrayLike<number>, threshold: number): Float64Array {
  return Float64Array.from(x, (v) => (v > threshold ? 1 : 0));
}

/** JumpReLU x > threshold[column] for a per-column threshold; x ≥ t for a scalar batch cut. */
export function thresholdRelu(
  x: ArrayLike<number>,
  cols: number,
  threshold: ArrayLike<number> | number,
): Float64Array {
  return Float64Array.from(x, (v, i) => {
    const above = typeof threshold === 'number' ? v >= threshold : v > threshold[i % cols];
    return above && v > 0 ? v : 0;
  });
}

export function staleCounter(
  counter: ArrayLike<number>,
  fired: ArrayLike<number>,
  increment: number,
): Expected {
  const acc = new Accumulator(counter.length);
  for (let i = 0; i < counter.length; i++) {
    if (fired[i] > 0) continue;
    acc.add(i, counter[i]);
    acc.add(i, increment);
  }
  return acc.expected();
}

export interface AdamState {
  readonly param: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

export interface AdamHostOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly step: number;
  readonly gradScale: number;
}

/**
 * One Adam step. Returns the new state and, for the parameter, a magnitude of |p| + |update|
 * with terms = 8: the update is a short chain of float32 operations (scale, two lerps, a sqrt,
 * two divisions) whose rounding is relative to the update, not to p.
 */
export function adam(
  s: AdamState,
  grad: ArrayLike<number>,
  o: AdamHostOptions,
): { state: AdamState; param: Expected; m: Expected; v: Expected } {
  const n = s.param.length;
  const param = new Float64Array(n);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const magP = new Float64Array(n);
  const magM = new Float64Array(n);
  const magV = new Float64Array(n);
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  for (let i = 0; i < n; i++) {
    const g = o.gradScale * grad[i];
    m[i] = o.beta1 * s.m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * s.v[i] + (1 - o.beta2) * g * g;
    const update = (o.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + o.eps);
    param[i] = s.param[i] - update;
    magP[i] = Math.abs(s.param[i]) + Math.abs(update);
    magM[i] = Math.abs(o.beta1 * s.m[i]) + Math.abs((1 - o.beta1) * g);
    magV[i] = Math.abs(o.beta2 * s.v[i]) + Math.abs((1 - o.beta2) * g * g);
  }
  return {
    state: { param, m, v },
    param: { ref: param, magnitude: magP, terms: 8 },
    m: { ref: m, magnitude: magM, terms: 3 },
    v: { ref: v, magnitude: magV, terms: 3 },
  };
}

/** Rows divided by their norms; zero rows stay zero. Magnitude |w| per element, d terms. */
export function normalizeRows(w: HostMatrix): Expected {
  const ref = new Float64Array(w.rows * w.cols);
  const magnitude = new Float64Array(ref.length);
  for (let r = 0; r < w.rows; r++) {
    let ss = 0;
    for (let c = 0; c < w.cols; c++) ss += w.data[r * w.cols + c] ** 2;
    const norm = Math.sqrt(ss);
    for (let c = 0; c < w.cols; c++) {
      const i = r * w.cols + c;
      ref[i] = norm > 0 ? w.data[i] / norm : w.data[i];
      magnitude[i] = Math.abs(ref[i]);
    }
  }
  return { ref, magnitude, terms: w.cols };
}

/** grad[i] − ⟨grad[i], w[i]⟩ w[i]. */
export function removeParallel(grad: HostMatrix, w: HostMatrix): Expected {
  const d = grad.cols;
  const ref = new Float64Array(grad.rows * d);
  const magnitude = new Float64Array(ref.length);
  for (let r = 0; r < grad.rows; r++) {
    let dot = 0;
    let dotMag = 0;
    for (let c = 0; c < d; c++) {
      dot += grad.data[r * d + c] * w.data[r * d + c];
      dotMag += Math.abs(grad.data[r * d + c] * w.data[r * d + c]);
    }
    for (let c = 0; c < d; c++) {
      const i = r * d + c;
      ref[i] = grad.data[i] - dot * w.data[i];
      magnitude[i] = Math.abs(grad.data[i]) + dotMag * Math.abs(w.data[i]);
    }
  }
  return { ref, magnitude, terms: d };
}
