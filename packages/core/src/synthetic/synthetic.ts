import { ConfigError } from '../errors.js';
import { pairedBatch } from '../train/paired.js';
import { Rng } from '../util/rng.js';

export interface SyntheticOptions {
  readonly dIn: number;
  /** Number of true features (rows of the dictionary). */
  readonly nFeatures: number;
  /** Mean number of features active per token (before correlated partners); default 4. */
  readonly activePerToken?: number;
  /** Firing probability of feature i ∝ (i + 1)^−exponent; default 0.5 (0 = all equal). */
  readonly frequencyExponent?: number;
  /** Pairs (a, b): when a fires, b also fires with `pairProbability`; default 4 pairs. */
  readonly correlatedPairs?: number;
  readonly pairProbability?: number;
  /** Feature magnitudes are uniform in [min, max]; default [0.5, 1.5]. */
  readonly magnitudeRange?: readonly [number, number];
  /** Standard deviation of Gaussian noise added to every coordinate; default 0. */
  readonly noise?: number;
  /**
   * Parent features whose children fire only with them (the setting of feature absorption):
   * features 0 … parents−1 are parents; parent p's children are the features
   * parents + p·childrenPerParent + c. When a parent fires, one of its children (uniformly)
   * fires too with `childProbability` (default 0.5); children never fire otherwise. The other
   * features fire independently as usual. Needs correlatedPairs = 0 (its default then).
   */
  readonly hierarchy?: {
    readonly parents: number;
    readonly childrenPerParent: number;
    readonly childProbability?: number;
  };
  /**
   * Tokens of two densities, so that the number of active features varies much more from token
   * to token than independent firing gives (whose count has variance ≤ its mean): each token is
   * dense with probability `fraction`, and a dense token's firing probabilities are scaled so
   * that it has `activePerToken` features on average; the other tokens' are scaled down so that
   * the mean over all tokens stays the generator's `activePerToken` (e.g. fraction 0.4 and 6
   * with a mean of 3: 40% of tokens carry ~6 features, 60% ~1). Needs the generator's
   * activePerToken ≤ activePerToken here ≤ its activePerToken / fraction, and no scaled
   * probability above 1. Counts are before correlated partners and children, as for the mean.
   */
  readonly denseTokens?: {
    readonly fraction: number;
    readonly activePerToken: number;
  };
  /**
   * Transcoder data: each token also gets a target, the same sparse coefficients decoded
   * through a second dictionary (`targetDictionary`, unit rows, drawn from its own stream so
   * the inputs are those of the plain generator with this seed). `batch` then returns paired
   * batches (`pairedBatch`: input rows, then target rows). Noise, if any, is added to both.
   */
  readonly transcoder?: boolean;
  /** Rows per batch of the async iterator; default 4096. */
  readonly batchSize?: number;
  readonly seed?: number;
}

/** `n` unit vectors of width `d` drawn from `rng`, [n, d] row-major. */
function unitRows(rng: Rng, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  const row = new Float64Array(d);
  for (let f = 0; f < n; f++) {
    let norm = 0;
    for (let c = 0; c < d; c++) {
      row[c] = rng.normal();
      norm += row[c] * row[c];
    }
    norm = Math.sqrt(norm);
    for (let c = 0; c < d; c++) out[f * d + c] = row[c] / norm;
  }
  return out;
}

/**
 * Activations with a known answer: each token is a sparse non-negative combination of
 * `nFeatures` unit vectors in `dIn` dimensions, so a trained SAE can be scored by how many of
 * them its decoder found (see `featureRecovery`). Seeded and reproducible.
 */
export class SyntheticActivations implements AsyncIterable<Float32Array> {
  readonly dIn: number;
  readonly nFeatures: number;
  /** The true dictionary, [nFeatures, dIn] with unit rows. */
  readonly dictionary: Float32Array;
  /**
   * With `transcoder`: the dictionary the targets are decoded through ([nFeatures, dIn], unit
   * rows), the map a transcoder's decoder should recover; null otherwise.
   */
  readonly targetDictionary: Float32Array | null;
  readonly #targetRng: Rng | null;
  /** Per-feature firing probability (before correlated partners). */
  readonly probabilities: Float64Array;
  /** The correlated pairs [a, b]. */
  readonly pairs: readonly (readonly [number, number])[];
  /** With `hierarchy`: parent p's children, by parent (empty otherwise). */
  readonly children: readonly (readonly number[])[];
  readonly #childProbability: number;
  readonly batchSize: number;
  readonly #rng: Rng;
  readonly #pairOf: Int32Array;
  readonly #pairProbability: number;
  readonly #lo: number;
  readonly #hi: number;
  readonly #noise: number;
  /** With `denseTokens`: [fraction, dense scale, sparse scale] of the firing probabilities. */
  readonly #density: readonly [number, number, number] | null;

  constructor(options: SyntheticOptions) {
    const {
      dIn,
      nFeatures,
      activePerToken = 4,
      frequencyExponent = 0.5,
      correlatedPairs = options.hierarchy === undefined ? 4 : 0,
      pairProbability = 0.5,
      magnitudeRange = [0.5, 1.5],
      noise = 0,
      batchSize = 4096,
      seed = 0,
    } = options;
    for (const [key, v] of [
      ['dIn', dIn],
      ['nFeatures', nFeatures],
      ['batchSize', batchSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new ConfigError(key, `must be a positive integer, got ${v}`);
    }
    if (!(activePerToken > 0 && activePerToken <= nFeatures)) {
      throw new ConfigError('activePerToken', `must be in (0, nFeatures = ${nFeatures}]`);
    }
    if (
      !Number.isInteger(correlatedPairs) ||
      correlatedPairs < 0 ||
      2 * correlatedPairs > nFeatures
    ) {
      throw new ConfigError('correlatedPairs', `must be an integer in [0, nFeatures / 2]`);
    }
    if (!(magnitudeRange[0] >= 0 && magnitudeRange[1] >= magnitudeRange[0])) {
      throw new ConfigError('magnitudeRange', 'must be [min, max] with 0 ≤ min ≤ max');
    }
    if (!(noise >= 0)) throw new ConfigError('noise', 'must be ≥ 0');
    const h = options.hierarchy;
    if (h !== undefined) {
      const { parents, childrenPerParent } = h;
      if (
        !Number.isInteger(parents) ||
        !Number.isInteger(childrenPerParent) ||
        parents < 1 ||
        childrenPerParent < 1 ||
        parents * (1 + childrenPerParent) > nFeatures
      ) {
        throw new ConfigError(
          'hierarchy',
          `parents and childrenPerParent must be positive integers with parents × (1 + childrenPerParent) ≤ nFeatures = ${nFeatures}`,
        );
      }
      if (correlatedPairs !== 0) {
        throw new ConfigError('correlatedPairs', 'must be 0 with a hierarchy');
      }
    }
    this.#childProbability = h?.childProbability ?? 0.5;
    if (!(this.#childProbability >= 0 && this.#childProbability <= 1)) {
      throw new ConfigError('hierarchy', 'childProbability must be in [0, 1]');
    }
    this.children =
      h === undefined
        ? []
        : Array.from({ length: h.parents }, (_, p) =>
            Array.from(
              { length: h.childrenPerParent },
              (_, c) => h.parents + p * h.childrenPerParent + c,
            ),
          );
    this.dIn = dIn;
    this.nFeatures = nFeatures;
    this.batchSize = batchSize;
    this.#pairProbability = pairProbability;
    this.#lo = magnitudeRange[0];
    this.#hi = magnitudeRange[1];
    this.#noise = noise;
    this.#rng = new Rng(seed, 'synthetic');
    const rng = this.#rng;

    this.dictionary = unitRows(rng, nFeatures, dIn);
    this.#targetRng = options.transcoder === true ? new Rng(seed, 'synthetic-target') : null;
    this.targetDictionary = this.#targetRng ? unitRows(this.#targetRng, nFeatures, dIn) : null;

    // Power-law frequencies, scaled so that Σ p = activePerToken (capped at 1, with the
    // excess spread over the rest so the mean stays right).
    const raw = new Float64Array(nFeatures);
    for (let f = 0; f < nFeatures; f++) raw[f] = (f + 1) ** -frequencyExponent;
    // Children have no rate of their own: they fire through their parent.
    for (const kids of this.children) for (const c of kids) raw[c] = 0;
    this.probabilities = new Float64Array(nFeatures);
    let budget = activePerToken;
    let free = raw.reduce((a, v) => a + v, 0);
    const capped = new Uint8Array(nFeatures);
    for (let pass = 0; pass < nFeatures; pass++) {
      let changed = false;
      for (let f = 0; f < nFeatures; f++) {
        if (capped[f]) continue;
        if ((raw[f] * budget) / free >= 1) {
          capped[f] = 1;
          budget -= 1;
          free -= raw[f];
          changed = true;
        }
      }
      if (!changed) break;
    }
    for (let f = 0; f < nFeatures; f++)
      this.probabilities[f] = capped[f] ? 1 : (raw[f] * budget) / free;
    this.#density = densityScales(options.denseTokens, activePerToken, this.probabilities);

    this.#pairOf = new Int32Array(nFeatures).fill(-1);
    const order = rng.shuffle(Array.from({ length: nFeatures }, (_, i) => i));
    const pairs: [number, number][] = [];
    for (let p = 0; p < correlatedPairs; p++) {
      const a = order[2 * p];
      const b = order[2 * p + 1];
      this.#pairOf[a] = b;
      pairs.push([a, b]);
    }
    this.pairs = pairs;
  }

  /** The next `rows` tokens, [rows, dIn] row-major (with `transcoder`: a paired batch). */
  batch(rows: number = this.batchSize): Float32Array {
    const { activations, target } = this.#draw(rows, false);
    return target === null ? activations : pairedBatch(activations, target, rows);
  }

  /**
   * The next `rows` tokens and the true coefficients that made them ([rows, nFeatures]; 0
   * where a feature is off). Draws exactly what `batch` draws.
   */
  sample(rows: number = this.batchSize): {
    activations: Float32Array;
    coefficients: Float32Array;
    /** With `transcoder`: the targets [rows, dIn]; null otherwise. */
    target: Float32Array | null;
  } {
    const { activations, coefficients, target } = this.#draw(rows, true);
    return { activations, coefficients: coefficients!, target };
  }

  #draw(
    rows: number,
    keep: boolean,
  ): {
    activations: Float32Array;
    coefficients: Float32Array | null;
    target: Float32Array | null;
  } {
    const { dIn, nFeatures } = this;
    const rng = this.#rng;
    const out = new Float32Array(rows * dIn);
    const td = this.targetDictionary;
    const target = td === null ? null : new Float32Array(rows * dIn);
    // [rows, nFeatures] can be large: only `sample` asks for it.
    const coefficients = keep ? new Float32Array(rows * nFeatures) : null;
    const coef = new Float64Array(nFeatures);
    const density = this.#density;
    for (let r = 0; r < rows; r++) {
      coef.fill(0);
      // Drawn only with `denseTokens`, so that the plain generator's stream is unchanged.
      const scale = density === null ? 1 : rng.uniform() < density[0] ? density[1] : density[2];
      for (let f = 0; f < nFeatures; f++) {
        if (rng.uniform() < this.probabilities[f] * scale) {
          coef[f] = this.#lo + (this.#hi - this.#lo) * rng.uniform();
          const partner = this.#pairOf[f];
          if (partner >= 0 && coef[partner] === 0 && rng.uniform() < this.#pairProbability) {
            coef[partner] = this.#lo + (this.#hi - this.#lo) * rng.uniform();
          }
        }
      }
      for (let p = 0; p < this.children.length; p++) {
        if (coef[p] === 0 || !(rng.uniform() < this.#childProbability)) continue;
        const kids = this.children[p];
        const child = kids[Math.min(kids.length - 1, Math.floor(rng.uniform() * kids.length))];
        coef[child] = this.#lo + (this.#hi - this.#lo) * rng.uniform();
      }
      const o = r * dIn;
      for (let f = 0; f < nFeatures; f++) {
        const a = coef[f];
        if (a === 0) continue;
        if (coefficients) coefficients[r * nFeatures + f] = a;
        const fo = f * dIn;
        for (let c = 0; c < dIn; c++) out[o + c] += a * this.dictionary[fo + c];
        if (target !== null) for (let c = 0; c < dIn; c++) target[o + c] += a * td![fo + c];
      }
      if (this.#noise > 0) {
        for (let c = 0; c < dIn; c++) out[o + c] += this.#noise * rng.normal();
        if (target !== null) {
          for (let c = 0; c < dIn; c++) target[o + c] += this.#noise * this.#targetRng!.normal();
        }
      }
    }
    return { activations: out, coefficients, target };
  }

  /** Endless batches of `batchSize` rows (stop with `take`, a step limit or an abort signal). */
  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    for (;;) yield this.batch();
  }
}

/** `denseTokens` checked and turned into [fraction, dense scale, sparse scale]; null without it. */
function densityScales(
  dense: SyntheticOptions['denseTokens'],
  mean: number,
  probabilities: Float64Array,
): readonly [number, number, number] | null {
  if (dense === undefined) return null;
  const { fraction, activePerToken } = dense;
  if (!(fraction > 0 && fraction < 1)) {
    throw new ConfigError('denseTokens', `fraction must be in (0, 1), got ${fraction}`);
  }
  if (!(activePerToken >= mean && fraction * activePerToken <= mean)) {
    throw new ConfigError(
      'denseTokens',
      `activePerToken must be in [${mean}, ${mean / fraction}] (the mean ${mean} to the mean / fraction), got ${activePerToken}`,
    );
  }
  const denseScale = activePerToken / mean;
  const top = probabilities.reduce((a, v) => Math.max(a, v), 0);
  if (top * denseScale > 1) {
    throw new ConfigError(
      'denseTokens',
      `activePerToken ${activePerToken} would take a firing probability to ${top * denseScale} > 1 (lower it, or lower frequencyExponent)`,
    );
  }
  return [fraction, denseScale, (mean - fraction * activePerToken) / ((1 - fraction) * mean)];
}

/** The first `n` items of an async iterable. */
export async function* take<T>(source: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  if (n <= 0) return;
  let i = 0;
  for await (const v of source) {
    yield v;
    if (++i >= n) return;
  }
}
