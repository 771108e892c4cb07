import { learningRateAt, type TrainConfig } from '../train/config.js';
import { centeredSumSquares } from './reference-loss.js';

/**
 * One whole training step of design §3 in float64, written from the design rather than from
 * the trainer's kernel sequence: forward, Top-K or BatchTopK selection, AuxK over the dead
 * latents, the gradients of FVU + α·AuxK, the decoder-gradient projection, global-norm
 * clipping, Adam with bias correction, decoder renormalisation, the dead-latent counters and
 * BatchTopK's threshold. States use the array names of a trainer's `saveState()`.
 */

const PARAMS = ['wEnc', 'bEnc', 'wDec', 'bDec'] as const;
export type ReferenceParamName = (typeof PARAMS)[number];
type Arrays = Readonly<Record<string, ArrayLike<number>>>;

export interface ReferenceStepMetrics {
  readonly fvu: number;
  readonly auxk: number;
  readonly l0: number;
  readonly deadFraction: number;
  /** ‖g‖ over every parameter after the decoder projection, before clipping (as reported). */
  readonly gradNorm: number;
  /** BatchTopK: θ after the step (training units). */
  readonly threshold?: number;
}

export interface ReferenceStep {
  readonly metrics: ReferenceStepMetrics;
  /** Gradients after the decoder projection and before clipping. */
  readonly gradients: Record<ReferenceParamName, Float64Array>;
  /** The factor the gradients were multiplied by before Adam (1 without clipping). */
  readonly clipScale: number;
  readonly lr: number;
  /** Arrays after the step: adam_m.*, adam_v.*, stale_tokens, firing_counts, threshold. */
  readonly arrays: Record<string, Float64Array>;
}

/** Indices of the n largest of `score(i)` among `allowed`, ties to the lower index. */
function top(
  m: number,
  n: number,
  score: (i: number) => number,
  allowed = (_i: number) => true,
): number[] {
  const cand: number[] = [];
  for (let i = 0; i < m; i++) if (allowed(i)) cand.push(i);
  cand.sort((a, b) => score(b) - score(a) || a - b);
  return cand.slice(0, n);
}

/**
 * The step `step` (1-based) on `batch` (raw activations, rows × dIn) from the state `before`,
 * with inputs multiplied by `inputScale` as the trainer does.
 */
export function referenceStep(
  config: TrainConfig,
  before: Arrays,
  batch: ArrayLike<number>,
  step: number,
  inputScale: number,
): ReferenceStep {
  const { dIn: d, dSae: m, k } = config;
  if (k === null || (config.architecture !== 'topk' && config.architecture !== 'batchtopk')) {
    throw new Error(`referenceStep covers topk and batchtopk, not ${config.architecture}`);
  }
  const rows = batch.length / d;
  const wEnc = before['wEnc'];
  const bEnc = before['bEnc'];
  const wDec = before['wDec'];
  const bDec = before['bDec'];
  const stale = before['stale_tokens'];
  const x = Float64Array.from(batch, (v) => v * inputScale);
  const dead = Array.from({ length: m }, (_, i) => stale[i] >= config.deadTokens);
  const nDead = dead.filter(Boolean).length;

  // Forward: x̃ = x − b_dec, pre = x̃·W_encᵀ + b_enc.
  const xt = Float64Array.from(x, (v, i) => v - bDec[i % d]);
  const pre = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      let s = bEnc[i];
      for (let c = 0; c < d; c++) s += xt[r * d + c] * wEnc[i * d + c];
      pre[r * m + i] = s;
    }
  }

  // Selection: the active latents of each row with their values (> 0).
  const active: { i: number; z: number }[][] = [];
  let threshold: number | undefined;
  if (config.architecture === 'batchtopk') {
    const offers = Array.from({ length: rows }, (_, r) =>
      top(m, config.batchTopKCap, (i) => pre[r * m + i]),
    );
    const all = offers.flatMap((o, r) => o.map((i) => pre[r * m + i])).sort((a, b) => b - a);
    const cut = all[rows * k - 1];
    for (let r = 0; r < rows; r++) {
      active.push(
        offers[r]
          .filter((i) => pre[r * m + i] >= cut && pre[r * m + i] > 0)
          .map((i) => ({ i, z: pre[r * m + i] })),
      );
    }
    // θ starts at the first batch's cut and then follows it with the configured momentum.
    const prior = before['threshold'][0];
    threshold =
      step <= 1 ? cut : config.thresholdMomentum * prior + (1 - config.thresholdMomentum) * cut;
  } else {
    for (let r = 0; r < rows; r++) {
      active.push(
        top(m, k, (i) => pre[r * m + i])
          .filter((i) => pre[r * m + i] > 0)
          .map((i) => ({ i, z: pre[r * m + i] })),
      );
    }
  }

  // Decode and the FVU.
  const e = new Float64Array(rows * d); // x − x̂
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) {
      let xhat = bDec[c];
      for (const { i, z } of active[r]) xhat += z * wDec[i * d + c];
      e[r * d + c] = x[r * d + c] - xhat;
    }
  }
  const fvuDen = centeredSumSquares(x, rows, d);
  const fvuNum = e.reduce((s, v) => s + v * v, 0);

  // AuxK: the dead latents' top k_aux (value > 0) reconstruct e, a constant for the gradient.
  const aux: { i: number; z: number }[][] = [];
  const ehat = new Float64Array(rows * d);
  const auxOn = config.auxkAlpha > 0;
  for (let r = 0; auxOn && r < rows; r++) {
    const sel = top(
      m,
      config.kAux,
      (i) => pre[r * m + i],
      (i) => dead[i],
    )
      .filter((i) => pre[r * m + i] > 0)
      .map((i) => ({ i, z: pre[r * m + i] }));
    aux.push(sel);
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (const { i, z } of sel) s += z * wDec[i * d + c];
      ehat[r * d + c] = s;
    }
  }
  const auxDen = centeredSumSquares(e, rows, d);
  let auxNum = 0;
  for (let j = 0; auxOn && j < e.length; j++) auxNum += (ehat[j] - e[j]) ** 2;

  // Gradients of FVU + α·AuxK.
  const g: Record<ReferenceParamName, Float64Array> = {
    wEnc: new Float64Array(m * d),
    bEnc: new Float64Array(m),
    wDec: new Float64Array(m * d),
    bDec: new Float64Array(d),
  };
  /** ∂/∂(a decode) at row r, column c, for one term; adds its gradients through `sel`. */
  const backward = (sel: { i: number; z: number }[][], dOut: (j: number) => number) => {
    for (let r = 0; r < rows; r++) {
      for (const { i, z } of sel[r]) {
        let dz = 0;
        for (let c = 0; c < d; c++) {
          const go = dOut(r * d + c);
          g.wDec[i * d + c] += z * go;
          dz += go * wDec[i * d + c];
        }
        // z = pre > 0 here, so ∂pre = ∂z; pre = x̃·W_enc[i] + b_enc[i] with x̃ = x − b_dec.
        g.bEnc[i] += dz;
        for (let c = 0; c < d; c++) {
          g.wEnc[i * d + c] += dz * xt[r * d + c];
          g.bDec[c] -= dz * wEnc[i * d + c];
        }
      }
    }
  };
  const fvuScale = fvuDen > 0 ? 2 / fvuDen : 0;
  for (let j = 0; j < e.length; j++) g.bDec[j % d] += -fvuScale * e[j];
  backward(active, (j) => -fvuScale * e[j]);
  if (auxOn && auxDen > 0) {
    const s = (2 * config.auxkAlpha) / auxDen;
    backward(aux, (j) => s * (ehat[j] - e[j]));
  }

  // Remove from each decoder row's gradient its component along the (unit) row.
  for (let i = 0; i < m; i++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += g.wDec[i * d + c] * wDec[i * d + c];
    for (let c = 0; c < d; c++) g.wDec[i * d + c] -= dot * wDec[i * d + c];
  }
  let sq = 0;
  for (const name of PARAMS) for (const v of g[name]) sq += v * v;
  const gradNorm = Math.sqrt(sq);
  const clip = config.clipGradNorm;
  const clipScale = clip === null ? 1 : gradNorm > 0 ? Math.min(1, clip / gradNorm) : 0;

  // Adam moments.
  const arrays: Record<string, Float64Array> = {};
  for (const name of PARAMS) {
    const m0 = before[`adam_m.${name}`];
    const v0 = before[`adam_v.${name}`];
    arrays[`adam_m.${name}`] = Float64Array.from(
      g[name],
      (gi, j) => config.beta1 * m0[j] + (1 - config.beta1) * clipScale * gi,
    );
    arrays[`adam_v.${name}`] = Float64Array.from(
      g[name],
      (gi, j) => config.beta2 * v0[j] + (1 - config.beta2) * (clipScale * gi) ** 2,
    );
  }

  // Counters: tokens since each latent last fired, and firings since the start.
  const fired = new Float64Array(m);
  for (const row of active) for (const { i } of row) fired[i] += 1;
  arrays['stale_tokens'] = Float64Array.from(fired, (f, i) => (f > 0 ? 0 : stale[i] + rows));
  arrays['firing_counts'] = Float64Array.from(fired, (f, i) => before['firing_counts'][i] + f);
  arrays['threshold'] = Float64Array.of(threshold ?? before['threshold'][0]);

  const l0 = active.reduce((s, a) => s + a.length, 0) / rows;
  return {
    metrics: {
      fvu: fvuDen > 0 ? fvuNum / fvuDen : 0,
      auxk: nDead > 0 && auxDen > 0 ? auxNum / auxDen : 0,
      l0,
      deadFraction: nDead / m,
      gradNorm,
      ...(threshold === undefined ? {} : { threshold }),
    },
    gradients: g,
    clipScale,
    lr: learningRateAt(config, step),
    arrays,
  };
}

/**
 * The parameters after Adam's step from the moments `after` (bias-corrected with `step`),
 * and W_dec's rows renormalised. Given the moments a device computed, this checks the update
 * without Adam's first steps amplifying rounding in near-zero gradients (an update is ±lr
 * whatever a gradient's size).
 */
export function referenceParamsAfter(
  config: TrainConfig,
  before: Arrays,
  after: Arrays,
  step: number,
  lr: number,
): Record<ReferenceParamName, Float64Array> {
  const bc1 = 1 - config.beta1 ** step;
  const bc2 = 1 - config.beta2 ** step;
  const out = {} as Record<ReferenceParamName, Float64Array>;
  for (const name of PARAMS) {
    const m = after[`adam_m.${name}`];
    const v = after[`adam_v.${name}`];
    out[name] = Float64Array.from(
      before[name],
      (p, j) => p - (lr * (m[j] / bc1)) / (Math.sqrt(v[j] / bc2) + config.eps),
    );
  }
  const d = config.dIn;
  const w = out.wDec;
  for (let i = 0; i < config.dSae; i++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += w[i * d + c] ** 2;
    const norm = Math.sqrt(ss);
    if (norm > 0) for (let c = 0; c < d; c++) w[i * d + c] /= norm;
  }
  return out;
}
