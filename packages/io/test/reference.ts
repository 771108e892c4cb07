import type { SaeWeights } from '@saekit/core';

/**
 * A plain float64 SAE forward pass straight from the papers, to check that a loaded
 * checkpoint's layout (transposes, bias roles, thresholds) means what its format says.
 */
export function referenceForward(
  w: SaeWeights,
  x: Float32Array,
  rows: number,
): { acts: Float64Array; out: Float64Array } {
  const { dIn, dSae } = w;
  const acts = new Float64Array(rows * dSae);
  const out = new Float64Array(rows * dIn);
  for (let r = 0; r < rows; r++) {
    const pre = new Float64Array(dSae);
    for (let j = 0; j < dSae; j++) {
      let s = w.bEnc[j];
      for (let i = 0; i < dIn; i++) {
        s += (x[r * dIn + i] - (w.applyBDecToInput ? w.bDec[i] : 0)) * w.wEnc[j * dIn + i];
      }
      pre[j] = s;
    }
    const a = acts.subarray(r * dSae, (r + 1) * dSae);
    if (w.architecture === 'topk') {
      const order = Array.from(pre.keys()).sort((p, q) => pre[q] - pre[p] || p - q);
      for (const j of order.slice(0, w.k)) a[j] = Math.max(pre[j], 0);
    } else if (w.architecture === 'standard') {
      for (let j = 0; j < dSae; j++) a[j] = Math.max(pre[j], 0);
    } else {
      for (let j = 0; j < dSae; j++) a[j] = pre[j] > w.threshold![j] ? Math.max(pre[j], 0) : 0;
    }
    for (let i = 0; i < dIn; i++) {
      let s = w.bDec[i];
      for (let j = 0; j < dSae; j++) s += a[j] * w.wDec[j * dIn + i];
      out[r * dIn + i] = s;
    }
  }
  return { acts, out };
}
