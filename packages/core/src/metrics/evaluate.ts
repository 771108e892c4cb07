import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { DataError, ShapeError } from '../errors.js';
import type { Sae } from '../sae/sae.js';
import { checkFiniteRows, splitBatch } from '../train/paired.js';

export interface EvaluateOptions {
  /** A latent firing on more than this fraction of tokens counts as dense; default 0.1. */
  readonly denseThreshold?: number;
  /** Width of a log10-frequency histogram bin; default 0.5 (decades / 2). */
  readonly binWidth?: number;
  /** Stop after this many tokens. */
  readonly maxTokens?: number;
}

export interface FiringHistogram {
  /** Bin edges in log10(firing frequency), ascending; bin i is [edges[i], edges[i+1]). */
  readonly edges: number[];
  readonly counts: number[];
  /** Latents that never fired (log10 frequency −∞), outside the bins. */
  readonly dead: number;
}

export interface Evaluation {
  /**
   * Σ‖x̂ − x‖² / Σ‖x − mean(x)‖², the mean taken over every evaluated token. For a transcoder
   * x is the target: Σ‖ŷ − y‖² / Σ‖y − mean(y)‖².
   */
  readonly fvu: number;
  /** Mean squared error per element (raw units). */
  readonly mse: number;
  /** Mean number of active latents per token. */
  readonly l0: number;
  /** Fraction of latents that never fired. */
  readonly deadFraction: number;
  /** Fraction of latents firing on more than `denseThreshold` of the tokens. */
  readonly denseFraction: number;
  readonly firingHistogram: FiringHistogram;
  /** Per latent, log10 of its firing frequency (−Infinity when dead): SAELens's sparsity. */
  readonly log10Frequency: Float32Array;
  readonly tokens: number;
}

/**
 * Evaluates an SAE on raw activation batches ([rows × dIn] each): reconstruction quality,
 * sparsity and the firing-frequency distribution. A transcoder takes paired batches
 * (`pairedBatch`: input rows, then target rows) and is scored against the target. Reads
 * back two numbers per batch and the firing counts once at the end.
 */
export async function evaluateSae(
  backend: Backend,
  sae: Sae,
  batches: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  if (sae.backend !== backend) {
    throw new ShapeError('evaluateSae: the Sae lives on a different backend than the one given');
  }
  const d = sae.dIn;
  const denseThreshold = options.denseThreshold ?? 0.1;
  const binWidth = options.binWidth ?? 0.5;
  const counts = backend.create([sae.dSae]);
  const sums = backend.create([2]);
  const colSum = new Float64Array(d);
  let sumSq = 0;
  let errSq = 0;
  let active = 0;
  let tokens = 0;
  let batchNo = 0;
  const work = new Map<number, { x: Tensor; y: Tensor | null; diff: Tensor; on: Tensor }>();
  try {
    for await (const batch of batches as AsyncIterable<Float32Array>) {
      batchNo++;
      const source = `evaluation batch ${batchNo}`;
      const split = splitBatch(batch, d, sae.transcoder, source);
      let rows = split.rows;
      if (options.maxTokens !== undefined) rows = Math.min(rows, options.maxTokens - tokens);
      if (rows <= 0) break;
      const data = split.input.subarray(0, rows * d);
      const target = split.target.subarray(0, rows * d);
      checkFiniteRows(data, d, sae.transcoder ? `${source} input` : source);
      if (sae.transcoder) checkFiniteRows(target, d, `${source} target`);
      for (let i = 0; i < target.length; i++) {
        const v = target[i];
        colSum[i % d] += v;
        sumSq += v * v;
      }
      let w = work.get(rows);
      if (!w) {
        w = {
          x: backend.create([rows, d]),
          y: sae.transcoder ? backend.create([rows, d]) : null,
          diff: backend.create([rows, d]),
          on: backend.create([rows, sae.width]),
        };
        work.set(rows, w);
      }
      backend.write(w.x, data);
      if (w.y) backend.write(w.y, target);
      const { code, reconstruction } = sae.forward(w.x);
      backend.axpby(w.diff, 1, reconstruction, -1, w.y ?? w.x);
      backend.reduce(sums, 0, w.diff, 'sumSquares');
      backend.greaterThan(w.on, code.values, 0);
      backend.reduce(sums, 1, w.on, 'sum');
      backend.scatterAdd(counts, code.indices, w.on);
      for (const t of [code.values, code.indices, reconstruction]) backend.dispose(t);
      backend.flush();
      const s = (await backend.read(sums)) as Float32Array;
      errSq += s[0];
      active += s[1];
      tokens += rows;
      if (options.maxTokens !== undefined && tokens >= options.maxTokens) break;
    }
    if (tokens === 0) throw new DataError('no tokens to evaluate', 'evaluateSae');
    const fired = (await backend.read(counts)) as Float32Array;
    let meanSq = 0;
    for (let c = 0; c < d; c++) meanSq += (colSum[c] / tokens) ** 2;
    const variance = sumSq - tokens * meanSq;
    const log10Frequency = new Float32Array(sae.dSae);
    let dead = 0;
    let dense = 0;
    let lo = 0;
    for (let i = 0; i < fired.length; i++) {
      const f = fired[i] / tokens;
      log10Frequency[i] = f > 0 ? Math.log10(f) : Number.NEGATIVE_INFINITY;
      if (f === 0) dead++;
      else lo = Math.min(lo, log10Frequency[i]);
      if (f > denseThreshold) dense++;
    }
    const first = Math.floor(lo / binWidth) * binWidth;
    const nBins = Math.max(1, Math.round(-first / binWidth) + 1);
    const edges = Array.from({ length: nBins + 1 }, (_, i) => first + i * binWidth);
    const hist = new Array<number>(nBins).fill(0);
    for (const v of log10Frequency) {
      if (v === Number.NEGATIVE_INFINITY) continue;
      hist[Math.min(nBins - 1, Math.floor((v - first) / binWidth))]++;
    }
    return {
      fvu: variance > 0 ? errSq / variance : 0,
      mse: errSq / (tokens * d),
      l0: active / tokens,
      deadFraction: dead / sae.dSae,
      denseFraction: dense / sae.dSae,
      firingHistogram: { edges, counts: hist, dead },
      log10Frequency,
      tokens,
    };
  } finally {
    backend.dispose(counts);
    backend.dispose(sums);
    for (const w of work.values()) {
      for (const t of Object.values(w)) if (t !== null) backend.dispose(t);
    }
  }
}
