/**
 * out[i] = Σ_j w[offset + i·cols + j] · x[j] for i < rows: one [out, in] row-major weight.
 * Four running sums let V8 overlap the multiply-adds (about 1.5× faster than one).
 */
export function matvec(
  out: Float32Array,
  w: Float32Array,
  offset: number,
  x: Float32Array,
  rows: number,
  cols: number,
): void {
  const cols4 = cols - (cols % 4);
  for (let i = 0; i < rows; i++) {
    const row = offset + i * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < cols4; j += 4) {
      s0 += w[row + j] * x[j];
      s1 += w[row + j + 1] * x[j + 1];
      s2 += w[row + j + 2] * x[j + 2];
      s3 += w[row + j + 3] * x[j + 3];
    }
    for (; j < cols; j++) s0 += w[row + j] * x[j];
    out[i] = s0 + s1 + (s2 + s3);
  }
}

/** out = x / sqrt(mean(x²) + eps) · weight[offset ..], as llama2.c (eps 1e-5). */
export function rmsnorm(
  out: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  offset: number,
  size: number,
): void {
  let ss = 0;
  for (let j = 0; j < size; j++) ss += x[j] * x[j];
  const inv = 1 / Math.sqrt(ss / size + 1e-5);
  for (let j = 0; j < size; j++) out[j] = weight[offset + j] * (inv * x[j]);
}

/** In-place softmax of x[0 .. size). */
export function softmax(x: Float32Array, size = x.length): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const e = Math.exp(x[i] - max);
    x[i] = e;
    sum += e;
  }
  for (let i = 0; i < size; i++) x[i] /= sum;
}

/** log Σ exp(x), computed stably in float64. */
export function logSumExp(x: Float32Array, offset = 0, size = x.length): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) if (x[offset + i] > max) max = x[offset + i];
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(x[offset + i] - max);
  return max + Math.log(sum);
}

/** Index of the largest value; the lowest index wins ties. */
export function argmax(x: Float32Array, offset = 0, size = x.length): number {
  let best = 0;
  for (let i = 1; i < size; i++) if (x[offset + i] > x[offset + best]) best = i;
  return best;
}
