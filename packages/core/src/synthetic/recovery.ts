import { ShapeError } from '../errors.js';

export interface FeatureRecovery {
  /** Mean over true features of the best cosine similarity with any learned decoder row. */
  readonly mmcs: number;
  /** Fraction of true features whose best cosine is ≥ the threshold. */
  readonly recoveredFraction: number;
  readonly recovered: number;
  /** Per true feature, the best cosine and the learned row achieving it. */
  readonly maxCosine: Float64Array;
  readonly bestLatent: Int32Array;
}

/**
 * How well learned decoder rows ([dSae, dIn]) cover a true dictionary ([nTrue, dIn]): for each
 * true feature, the max cosine with any learned row (MMCS is their mean; a feature counts as
 * recovered at cosine ≥ `threshold`, default 0.9).
 */
export function featureRecovery(
  decoderRows: Float32Array,
  trueDictionary: Float32Array,
  dIn: number,
  threshold = 0.9,
): FeatureRecovery {
  if (decoderRows.length % dIn !== 0 || trueDictionary.length % dIn !== 0) {
    throw new ShapeError(`featureRecovery: array lengths must be multiples of dIn = ${dIn}`);
  }
  const m = decoderRows.length / dIn;
  const n = trueDictionary.length / dIn;
  const norms = (a: Float32Array, rows: number) => {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let c = 0; c < dIn; c++) s += a[i * dIn + c] ** 2;
      out[i] = Math.sqrt(s);
    }
    return out;
  };
  const dn = norms(decoderRows, m);
  const tn = norms(trueDictionary, n);
  const maxCosine = new Float64Array(n).fill(-1);
  const bestLatent = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) {
    if (tn[f] === 0) continue;
    for (let i = 0; i < m; i++) {
      if (dn[i] === 0) continue;
      let dot = 0;
      for (let c = 0; c < dIn; c++) dot += trueDictionary[f * dIn + c] * decoderRows[i * dIn + c];
      const cos = dot / (tn[f] * dn[i]);
      if (cos > maxCosine[f]) {
        maxCosine[f] = cos;
        bestLatent[f] = i;
      }
    }
  }
  let sum = 0;
  let recovered = 0;
  for (let f = 0; f < n; f++) {
    sum += maxCosine[f];
    if (maxCosine[f] >= threshold) recovered++;
  }
  return { mmcs: sum / n, recoveredFraction: recovered / n, recovered, maxCosine, bestLatent };
}
