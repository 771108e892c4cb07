import { ModelInputError } from './errors.js';
import { logSumExp } from './model/ops.js';
import { BOS } from './model/tokenizer.js';
import type { Transformer } from './model/transformer.js';

/** Maps `n` residual rows [n, dim] to their reconstructions [n, dim] (an SAE's forward). */
export type Reconstruct = (rows: Float32Array, n: number) => Promise<Float32Array>;

export interface SpliceOptions {
  /** Block whose output residual is replaced. */
  readonly layer: number;
  readonly reconstruct: Reconstruct;
  /** Also report mean-ablation: the residual replaced by this vector (e.g. the training mean). */
  readonly meanResidual?: Float32Array;
}

export interface SpliceResult {
  /** Next-token predictions scored (positions after BOS, each predicting the next token). */
  readonly tokens: number;
  /** Mean cross-entropy in nats per token. */
  readonly ceClean: number;
  readonly ceSpliced: number;
  /** Residual replaced by zeros. */
  readonly ceZero: number;
  readonly ceMean?: number;
  /** (CE_zero − CE_spliced) / (CE_zero − CE_clean): 1 = as good as the model, 0 = as bad as zeros. */
  readonly lossRecovered: number;
  /** Mean KL(clean ‖ spliced) of the next-token distributions, nats. */
  readonly klSpliced: number;
  readonly klZero: number;
  /** Σ‖x̂ − x‖² / Σ‖x − mean(x)‖² of the reconstructions on these tokens. */
  readonly fvu: number;
}

/**
 * Runs each sequence clean, with the residual after `layer` replaced by its reconstruction,
 * and with it replaced by zeros (and optionally by a mean), and compares next-token losses.
 *
 * Every run replaces the same positions: all except a leading BOS, whose residual is the
 * same constant in every sequence, is not in the SAE's training data, and so stays clean.
 * Only predictions made at replaced positions are scored (the prediction made at BOS is
 * identical in every run). Zero-ablation is the baseline because it needs nothing but the
 * model; mean-ablation (a kinder baseline, so a lower recovered fraction) is optional.
 *
 * The clean residual at `layer` does not depend on replacements at `layer` (those reach
 * only later blocks), so one clean pass gives every row to reconstruct, in one batch per
 * sequence, and the other runs start from the replaced residual, computing only the blocks
 * after `layer`.
 */
export async function evaluateSplice(
  model: Transformer,
  sequences: Iterable<readonly number[]>,
  options: SpliceOptions,
): Promise<SpliceResult> {
  const { dim, vocabSize } = model.config;
  const { layer } = options;
  const zeros = new Float32Array(dim);
  let scored = 0;
  let ceClean = 0;
  let ceSpliced = 0;
  let ceZero = 0;
  let ceMean = 0;
  let klSpliced = 0;
  let klZero = 0;
  let sqErr = 0;
  let sumSq = 0;
  let rows = 0;
  const sum = new Float64Array(dim);

  for (const tokens of sequences) {
    const first = tokens[0] === BOS ? 1 : 0;
    const n = tokens.length - 1 - first; // replaced positions that predict a next token
    if (n <= 0) continue;
    const T = tokens.length - 1;
    const residual = new Float32Array(T * dim);
    const clean = runLogits(model, tokens, layer, (x, pos) => {
      residual.set(x, pos * dim);
      return undefined;
    });
    const replacedRows = residual.subarray(first * dim);
    const recon = await options.reconstruct(replacedRows, T - first);
    if (recon.length !== (T - first) * dim) {
      throw new ModelInputError(
        `reconstruct returned ${recon.length} values for ${T - first} rows of ${dim}`,
      );
    }
    for (let i = 0; i < replacedRows.length; i++) {
      const d = recon[i] - replacedRows[i];
      sqErr += d * d;
      sumSq += replacedRows[i] * replacedRows[i];
      sum[i % dim] += replacedRows[i];
    }
    rows += T - first;

    // Positions before `first` keep their clean residual in every run.
    const rowOf = (source: (pos: number) => Float32Array) => (pos: number) =>
      pos < first ? residual.subarray(pos * dim, (pos + 1) * dim) : source(pos);
    const spliced = runFrom(
      model,
      layer,
      T,
      rowOf((pos) => recon.subarray((pos - first) * dim, (pos - first + 1) * dim)),
    );
    const zeroed = runFrom(
      model,
      layer,
      T,
      rowOf(() => zeros),
    );
    const mean = options.meanResidual;
    const meaned = mean
      ? runFrom(
          model,
          layer,
          T,
          rowOf(() => mean),
        )
      : undefined;

    for (let pos = first; pos < T; pos++) {
      const target = tokens[pos + 1];
      const off = pos * vocabSize;
      const cleanLse = logSumExp(clean, off, vocabSize);
      const splicedLse = logSumExp(spliced, off, vocabSize);
      const zeroLse = logSumExp(zeroed, off, vocabSize);
      ceClean += cleanLse - clean[off + target];
      ceSpliced += splicedLse - spliced[off + target];
      ceZero += zeroLse - zeroed[off + target];
      if (meaned) ceMean += logSumExp(meaned, off, vocabSize) - meaned[off + target];
      for (let v = 0; v < vocabSize; v++) {
        const logP = clean[off + v] - cleanLse;
        const p = Math.exp(logP);
        klSpliced += p * (logP - (spliced[off + v] - splicedLse));
        klZero += p * (logP - (zeroed[off + v] - zeroLse));
      }
    }
    scored += n;
  }
  if (scored === 0) throw new ModelInputError('no sequence had a token to score after BOS');

  let meanSq = 0;
  for (let j = 0; j < dim; j++) meanSq += (sum[j] / rows) ** 2;
  const totalVariance = sumSq - rows * meanSq;
  const result = {
    tokens: scored,
    ceClean: ceClean / scored,
    ceSpliced: ceSpliced / scored,
    ceZero: ceZero / scored,
    klSpliced: klSpliced / scored,
    klZero: klZero / scored,
    fvu: sqErr / totalVariance,
  };
  return {
    ...result,
    ...(options.meanResidual ? { ceMean: ceMean / scored } : {}),
    lossRecovered: (result.ceZero - result.ceSpliced) / (result.ceZero - result.ceClean),
  };
}

/** Logits [T, vocab] after positions 0 .. T−1, given the residual after `layer` at each. */
function runFrom(
  model: Transformer,
  layer: number,
  T: number,
  residualAt: (pos: number) => Float32Array,
): Float32Array {
  const { vocabSize } = model.config;
  const out = new Float32Array(T * vocabSize);
  const session = model.session();
  for (let pos = 0; pos < T; pos++) {
    out.set(session.stepFrom(layer, residualAt(pos)), pos * vocabSize);
  }
  return out;
}

/** Logits [T, vocab] after each of the first T = tokens.length − 1 tokens. */
function runLogits(
  model: Transformer,
  tokens: readonly number[],
  layer: number,
  hook: (x: Float32Array, pos: number) => undefined,
): Float32Array {
  const { vocabSize } = model.config;
  const T = tokens.length - 1;
  const out = new Float32Array(T * vocabSize);
  const session = model.session();
  for (let pos = 0; pos < T; pos++) {
    out.set(session.step(tokens[pos], { layer, hook }), pos * vocabSize);
  }
  return out;
}
