/**
 * Host-side summaries of an SAE's decoder for the report: row norms and, for a sample of
 * latents, the largest cosine similarity with any other decoder row (near-duplicate
 * latents show up as values close to 1).
 */

export function decoderRowNorms(wDec: Float32Array, dSae: number, dIn: number): Float32Array {
  const out = new Float32Array(dSae);
  for (let i = 0; i < dSae; i++) {
    let s = 0;
    const base = i * dIn;
    for (let j = 0; j < dIn; j++) s += wDec[base + j] * wDec[base + j];
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Evenly spaced latents, at most `sample` of them (all when dSae ≤ sample). */
export function sampleLatents(dSae: number, sample: number): number[] {
  if (dSae <= sample) return Array.from({ length: dSae }, (_, i) => i);
  const step = dSae / sample;
  return Array.from({ length: sample }, (_, i) => Math.floor(i * step));
}

/**
 * For each latent in `latents`: max over j ≠ i of cos(W_dec[i], W_dec[j]). Cost is
 * |latents| · dSae · dIn, so the caller samples latents for large dictionaries.
 */
export function maxCosineSimilarity(
  wDec: Float32Array,
  dSae: number,
  dIn: number,
  latents: readonly number[],
): Float32Array {
  const norms = decoderRowNorms(wDec, dSae, dIn);
  const out = new Float32Array(latents.length);
  latents.forEach((i, n) => {
    let best = Number.NEGATIVE_INFINITY;
    const bi = i * dIn;
    const ni = norms[i];
    for (let j = 0; j < dSae; j++) {
      if (j === i) continue;
      const bj = j * dIn;
      let dot = 0;
      for (let c = 0; c < dIn; c++) dot += wDec[bi + c] * wDec[bj + c];
      const denom = ni * norms[j];
      const cos = denom > 0 ? dot / denom : 0;
      if (cos > best) best = cos;
    }
    out[n] = dSae > 1 ? best : 0;
  });
  return out;
}

export interface Summary {
  readonly min: number;
  readonly mean: number;
  readonly median: number;
  readonly max: number;
}

export function summarize(values: Float32Array | readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { min: Number.NaN, mean: Number.NaN, median: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const v of sorted) sum += v;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { min: sorted[0], mean: sum / n, median, max: sorted[n - 1] };
}
