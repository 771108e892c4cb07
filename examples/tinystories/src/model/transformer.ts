import { ModelInputError } from '../errors.js';
import {
  type LlamaCheckpoint,
  type LlamaConfig,
  type LlamaWeights,
  loadLlamaCheckpoint,
} from './checkpoint.js';
import { matvec, rmsnorm, softmax } from './ops.js';

/**
 * Sees the residual stream after the hooked block at one position and may replace it:
 * return an array of `dim` values to use instead, or `undefined` to keep it. Splicing an SAE
 * returns its reconstruction, zero-ablation returns zeros, steering returns x + α·direction.
 */
export type ResidualHook = (residual: Float32Array, position: number) => Float32Array | undefined;

export interface StepOptions {
  /** Block (0-based) whose output residual stream is captured and/or hooked. */
  readonly layer?: number;
  /** Receives a copy of the residual after `layer`, as the clean model computed it. */
  readonly capture?: Float32Array;
  /** Replaces the residual after `layer` (see ResidualHook). */
  readonly hook?: ResidualHook;
}

/** A llama2.c Llama model evaluated one token at a time in plain float32 arrays. */
export class Transformer {
  constructor(
    readonly config: LlamaConfig,
    readonly weights: LlamaWeights,
  ) {}

  static fromCheckpoint(checkpoint: LlamaCheckpoint): Transformer {
    return new Transformer(checkpoint.config, checkpoint.weights);
  }

  static load(path: string): Transformer {
    return Transformer.fromCheckpoint(loadLlamaCheckpoint(path));
  }

  /** A fresh KV cache and scratch buffers; one per sequence being decoded. */
  session(): InferenceSession {
    return new InferenceSession(this);
  }
}

/** The state of one sequence: its KV cache and the position of the next token. */
export class InferenceSession {
  readonly model: Transformer;
  #position = 0;
  readonly #keyCache: Float32Array; // [L, seqLen, kvDim]
  readonly #valueCache: Float32Array;
  readonly #x: Float32Array;
  readonly #xb: Float32Array;
  readonly #xb2: Float32Array;
  readonly #q: Float32Array;
  readonly #k: Float32Array;
  readonly #v: Float32Array;
  readonly #att: Float32Array;
  readonly #hb: Float32Array;
  readonly #hb2: Float32Array;
  readonly #logits: Float32Array;
  readonly #ropeCos: Float32Array; // [seqLen, headSize/2]
  readonly #ropeSin: Float32Array;

  constructor(model: Transformer) {
    this.model = model;
    const c = model.config;
    this.#keyCache = new Float32Array(c.nLayers * c.seqLen * c.kvDim);
    this.#valueCache = new Float32Array(c.nLayers * c.seqLen * c.kvDim);
    this.#x = new Float32Array(c.dim);
    this.#xb = new Float32Array(c.dim);
    this.#xb2 = new Float32Array(c.dim);
    this.#q = new Float32Array(c.dim);
    this.#k = new Float32Array(c.kvDim);
    this.#v = new Float32Array(c.kvDim);
    this.#att = new Float32Array(c.seqLen);
    this.#hb = new Float32Array(c.hiddenDim);
    this.#hb2 = new Float32Array(c.hiddenDim);
    this.#logits = new Float32Array(c.vocabSize);
    const half = c.headSize / 2;
    this.#ropeCos = new Float32Array(c.seqLen * half);
    this.#ropeSin = new Float32Array(c.seqLen * half);
    for (let pos = 0; pos < c.seqLen; pos++) {
      for (let i = 0; i < half; i++) {
        const angle = pos * 10000 ** ((-2 * i) / c.headSize);
        this.#ropeCos[pos * half + i] = Math.cos(angle);
        this.#ropeSin[pos * half + i] = Math.sin(angle);
      }
    }
  }

  /** Position the next `step` writes (the number of tokens fed so far). */
  get position(): number {
    return this.#position;
  }

  /** Forgets the sequence; the cache is overwritten as new tokens arrive. */
  reset(): void {
    this.#position = 0;
  }

  /**
   * Feeds `token` at the current position and returns the next-token logits. The returned
   * array is reused by the next call: copy it to keep it.
   */
  step(token: number, options: StepOptions = {}): Float32Array {
    const c = this.model.config;
    const w = this.model.weights;
    const pos = this.#position;
    if (pos >= c.seqLen) {
      throw new ModelInputError(`position ${pos} is past the model's context of ${c.seqLen}`);
    }
    if (!Number.isInteger(token) || token < 0 || token >= c.vocabSize) {
      throw new ModelInputError(`token id ${token} is outside [0, ${c.vocabSize})`);
    }
    const { layer, capture, hook } = options;
    if ((capture !== undefined || hook !== undefined) && layer === undefined) {
      throw new ModelInputError('capture and hook need a layer');
    }
    if (layer !== undefined && !(Number.isInteger(layer) && layer >= 0 && layer < c.nLayers)) {
      throw new ModelInputError(`layer ${layer} is outside [0, ${c.nLayers})`);
    }

    const { dim } = c;
    const x = this.#x;
    x.set(w.tokenEmbedding.subarray(token * dim, (token + 1) * dim));
    for (let l = 0; l < c.nLayers; l++) {
      this.#block(l, pos);
      if (l === layer) {
        capture?.set(x);
        const replacement = hook?.(x, pos);
        if (replacement !== undefined && replacement !== x) this.#replace(replacement, l);
      }
    }
    return this.#finish(pos);
  }

  /**
   * Feeds the next position starting from a given residual stream after block `layer`: runs
   * only blocks layer+1 .. L−1 and returns the logits. The output of every later block
   * depends on earlier blocks only through this residual, so a sequence fed entirely this way
   * gives the same logits as `step` with a hook returning `residual` (blocks ≤ `layer`, whose
   * caches this skips, are never read). Do not mix it with `step` in one session.
   */
  stepFrom(layer: number, residual: Float32Array): Float32Array {
    const c = this.model.config;
    const pos = this.#position;
    if (pos >= c.seqLen) {
      throw new ModelInputError(`position ${pos} is past the model's context of ${c.seqLen}`);
    }
    if (!(Number.isInteger(layer) && layer >= -1 && layer < c.nLayers)) {
      throw new ModelInputError(`layer ${layer} is outside [-1, ${c.nLayers})`);
    }
    this.#replace(residual, layer);
    for (let l = layer + 1; l < c.nLayers; l++) this.#block(l, pos);
    return this.#finish(pos);
  }

  #replace(replacement: Float32Array, layer: number): void {
    if (replacement.length !== this.model.config.dim) {
      throw new ModelInputError(
        `residual for layer ${layer} has ${replacement.length} values, expected ${this.model.config.dim}`,
      );
    }
    this.#x.set(replacement);
  }

  #finish(pos: number): Float32Array {
    const c = this.model.config;
    rmsnorm(this.#x, this.#x, this.model.weights.rmsFinal, 0, c.dim);
    matvec(this.#logits, this.model.weights.wcls, 0, this.#x, c.vocabSize, c.dim);
    this.#position = pos + 1;
    return this.#logits;
  }

  /** Block l at position pos: attention (writing this position's K and V) then the FFN. */
  #block(l: number, pos: number): void {
    const c = this.model.config;
    const w = this.model.weights;
    const { dim, kvDim, hiddenDim, headSize, nHeads, seqLen } = c;
    const x = this.#x;
    const xb = this.#xb;
    const half = headSize / 2;
    const kvMul = nHeads / c.nKvHeads;
    const scale = 1 / Math.sqrt(headSize);

    rmsnorm(xb, x, w.rmsAtt, l * dim, dim);
    matvec(this.#q, w.wq, l * dim * dim, xb, dim, dim);
    matvec(this.#k, w.wk, l * kvDim * dim, xb, kvDim, dim);
    matvec(this.#v, w.wv, l * kvDim * dim, xb, kvDim, dim);
    this.#rope(this.#q, dim, pos, half, headSize);
    this.#rope(this.#k, kvDim, pos, half, headSize);
    const cacheBase = l * seqLen * kvDim;
    const keys = this.#keyCache;
    const values = this.#valueCache;
    keys.set(this.#k, cacheBase + pos * kvDim);
    values.set(this.#v, cacheBase + pos * kvDim);

    const att = this.#att;
    const q = this.#q;
    for (let h = 0; h < nHeads; h++) {
      const qOff = h * headSize;
      const kvOff = Math.floor(h / kvMul) * headSize;
      for (let t = 0; t <= pos; t++) {
        const kOff = cacheBase + t * kvDim + kvOff;
        let score = 0;
        for (let i = 0; i < headSize; i++) score += q[qOff + i] * keys[kOff + i];
        att[t] = score * scale;
      }
      softmax(att, pos + 1);
      for (let i = 0; i < headSize; i++) xb[qOff + i] = 0;
      for (let t = 0; t <= pos; t++) {
        const vOff = cacheBase + t * kvDim + kvOff;
        const a = att[t];
        for (let i = 0; i < headSize; i++) xb[qOff + i] += a * values[vOff + i];
      }
    }
    matvec(this.#xb2, w.wo, l * dim * dim, xb, dim, dim);
    for (let i = 0; i < dim; i++) x[i] += this.#xb2[i];

    rmsnorm(xb, x, w.rmsFfn, l * dim, dim);
    matvec(this.#hb, w.w1, l * hiddenDim * dim, xb, hiddenDim, dim);
    matvec(this.#hb2, w.w3, l * hiddenDim * dim, xb, hiddenDim, dim);
    for (let i = 0; i < hiddenDim; i++) {
      const g = this.#hb[i];
      this.#hb[i] = (g / (1 + Math.exp(-g))) * this.#hb2[i];
    }
    matvec(this.#xb2, w.w2, l * dim * hiddenDim, this.#hb, dim, hiddenDim);
    for (let i = 0; i < dim; i++) x[i] += this.#xb2[i];
  }

  /** Rotates adjacent pairs (2i, 2i+1) of every head by the position's angle. */
  #rope(v: Float32Array, size: number, pos: number, half: number, headSize: number): void {
    for (let j = 0; j < size; j += 2) {
      const i = (j % headSize) / 2;
      const cos = this.#ropeCos[pos * half + i];
      const sin = this.#ropeSin[pos * half + i];
      const a = v[j];
      const b = v[j + 1];
      v[j] = a * cos - b * sin;
      v[j + 1] = a * sin + b * cos;
    }
  }
}
