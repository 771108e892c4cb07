import type { Rng } from '../util/rng.js';

/** s = sqrt(d) / mean‖x‖, so that scaled tokens have mean norm sqrt(d). 1 for all-zero data. */
export function inputScaleOf(data: Float32Array, rows: number, dIn: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * dIn;
    for (let c = 0; c < dIn; c++) s += data[o + c] * data[o + c];
    total += Math.sqrt(s);
  }
  const mean = total / rows;
  return mean > 0 ? Math.sqrt(dIn) / mean : 1;
}

export function meanOf(data: Float32Array, rows: number, dIn: number, scale = 1): Float64Array {
  const mean = new Float64Array(dIn);
  for (let r = 0; r < rows; r++) {
    const o = r * dIn;
    for (let c = 0; c < dIn; c++) mean[c] += data[o + c];
  }
  for (let c = 0; c < dIn; c++) mean[c] = (mean[c] * scale) / rows;
  return mean;
}

/**
 * The geometric median (the point minimising Σ‖x_r − y‖) by Weiszfeld's iteration from the
 * mean, in float64, on the rows of data·scale. Stops when a step moves less than `tol`·‖y‖.
 */
export function geometricMedian(
  data: Float32Array,
  rows: number,
  dIn: number,
  options: { scale?: number; maxIterations?: number; tol?: number } = {},
): Float64Array {
  const scale = options.scale ?? 1;
  const maxIterations = options.maxIterations ?? 100;
  const tol = options.tol ?? 1e-7;
  let y = meanOf(data, rows, dIn, scale);
  const next = new Float64Array(dIn);
  for (let it = 0; it < maxIterations; it++) {
    next.fill(0);
    let wSum = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * dIn;
      let dist = 0;
      for (let c = 0; c < dIn; c++) {
        const diff = data[o + c] * scale - y[c];
        dist += diff * diff;
      }
      // A point sitting on the estimate gets a large finite weight instead of 1/0.
      const w = 1 / Math.max(Math.sqrt(dist), 1e-12);
      wSum += w;
      for (let c = 0; c < dIn; c++) next[c] += w * data[o + c] * scale;
    }
    let move = 0;
    let norm = 0;
    for (let c = 0; c < dIn; c++) {
      const v = next[c] / wSum;
      move += (v - y[c]) ** 2;
      norm += v * v;
      next[c] = v;
    }
    y = Float64Array.from(next);
    if (Math.sqrt(move) <= tol * Math.max(Math.sqrt(norm), 1e-30)) break;
  }
  return y;
}

/**
 * Tied init (Gao et al.): W_enc rows Gaussian, normalised to unit norm; W_dec a copy.
 * Returns one [m, d] array used for both.
 */
export function tiedUnitRows(rng: Rng, dSae: number, dIn: number): Float32Array {
  const w = new Float32Array(dSae * dIn);
  for (let i = 0; i < dSae; i++) {
    const o = i * dIn;
    let n = 0;
    for (let c = 0; c < dIn; c++) {
      const v = rng.normal();
      w[o + c] = v;
      n += v * v;
    }
    const inv = 1 / Math.sqrt(n);
    for (let c = 0; c < dIn; c++) w[o + c] *= inv;
  }
  return w;
}
