import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { DataError, SaekitError, ShapeError } from '../errors.js';
import type { Architecture, SaeWeights } from './weights.js';

/** A sparse code: values [B, K] and latent indices [B, K] (int32; −1 = empty slot). */
export interface SparseCode {
  readonly values: Tensor;
  readonly indices: Tensor;
}

/** A sparse code in host memory. Slots with value 0 carry index −1. */
export interface HostSparseCode {
  readonly rows: number;
  /** Slots per row (K). */
  readonly width: number;
  readonly values: Float32Array;
  readonly indices: Int32Array;
}

export interface SaeOptions {
  /**
   * Slots per token in the sparse code of threshold architectures (batchtopk, jumprelu,
   * standard), whose number of actives varies per token. Defaults: batchtopk min(dSae, 4k),
   * jumprelu / standard dSae (exact, but a full per-row sort: give a bound to go faster).
   * A token with more actives than this keeps its largest ones.
   */
  readonly maxActive?: number;
}

const ARCHITECTURES: readonly Architecture[] = ['topk', 'batchtopk', 'jumprelu', 'standard'];

function checkArray(name: string, a: Float32Array | undefined, length: number, cols: number): void {
  if (!(a instanceof Float32Array))
    throw new ShapeError(`SAE weights: '${name}' must be a Float32Array`);
  if (a.length !== length) {
    throw new ShapeError(`SAE weights: '${name}' has ${a.length} values, expected ${length}`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new DataError(
        `non-finite value ${a[i]} at column ${i % cols}`,
        `SAE weights '${name}'`,
        Math.floor(i / cols),
      );
    }
  }
}

/** Throws a typed error naming what is wrong with `w`. */
export function validateSaeWeights(w: SaeWeights): void {
  if (!ARCHITECTURES.includes(w.architecture)) {
    throw new ShapeError(`SAE weights: unknown architecture '${String(w.architecture)}'`);
  }
  for (const key of ['dIn', 'dSae'] as const) {
    if (!Number.isInteger(w[key]) || w[key] < 1) {
      throw new ShapeError(
        `SAE weights: '${key}' must be a positive integer, got ${String(w[key])}`,
      );
    }
  }
  const { dIn, dSae } = w;
  checkArray('wEnc', w.wEnc, dSae * dIn, dIn);
  checkArray('wDec', w.wDec, dSae * dIn, dIn);
  checkArray('bEnc', w.bEnc, dSae, dSae);
  checkArray('bDec', w.bDec, dIn, dIn);
  if (w.architecture === 'topk' || w.architecture === 'batchtopk') {
    if (w.k === undefined || !Number.isInteger(w.k) || w.k < 1 || w.k > dSae) {
      throw new ShapeError(
        `SAE weights: '${w.architecture}' needs k in [1, dSae = ${dSae}], got ${String(w.k)}`,
      );
    }
  }
  if (w.transcoder === true && w.applyBDecToInput) {
    throw new ShapeError(
      'SAE weights: a transcoder cannot subtract b_dec from its input (b_dec is in target space); applyBDecToInput must be false',
    );
  }
  if (w.architecture === 'jumprelu' || w.architecture === 'batchtopk') {
    if (!w.threshold)
      throw new ShapeError(`SAE weights: '${w.architecture}' needs 'threshold' [dSae]`);
    checkArray('threshold', w.threshold, dSae, dSae);
  }
}

/**
 * Runs any SAE through a Backend. Every architecture returns the sparse form; Top-K selects
 * k latents per token, the threshold architectures keep the `maxActive` largest actives.
 */
export class Sae {
  readonly architecture: Architecture;
  readonly dIn: number;
  readonly dSae: number;
  readonly k: number | undefined;
  /** Slots per token in the codes `encode` returns. */
  readonly width: number;
  readonly applyBDecToInput: boolean;
  readonly foldedInputScale: number | undefined;
  /** A transcoder: `decode` predicts a target activation, not the input (see SaeWeights). */
  readonly transcoder: boolean;
  readonly #foldedTargetScale: number | undefined;
  readonly #wEnc: Tensor;
  readonly #wDec: Tensor;
  readonly #bEnc: Tensor;
  readonly #bDec: Tensor;
  readonly #threshold: Tensor | null;
  #disposed = false;

  private constructor(
    readonly backend: Backend,
    w: SaeWeights,
    options: SaeOptions,
  ) {
    this.architecture = w.architecture;
    this.dIn = w.dIn;
    this.dSae = w.dSae;
    this.k = w.k;
    this.applyBDecToInput = w.applyBDecToInput;
    this.foldedInputScale = w.foldedInputScale;
    this.transcoder = w.transcoder === true;
    this.#foldedTargetScale = w.foldedTargetScale;
    const max = options.maxActive;
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > w.dSae)) {
      throw new ShapeError(
        `Sae: maxActive must be an integer in [1, dSae = ${w.dSae}], got ${max}`,
      );
    }
    this.width =
      w.architecture === 'topk'
        ? w.k!
        : (max ?? (w.architecture === 'batchtopk' ? Math.min(w.dSae, 4 * w.k!) : w.dSae));
    this.#wEnc = backend.create([w.dSae, w.dIn], 'float32', w.wEnc);
    this.#wDec = backend.create([w.dSae, w.dIn], 'float32', w.wDec);
    this.#bEnc = backend.create([w.dSae], 'float32', w.bEnc);
    this.#bDec = backend.create([w.dIn], 'float32', w.bDec);
    this.#threshold = w.threshold ? backend.create([w.dSae], 'float32', w.threshold) : null;
  }

  static fromWeights(backend: Backend, weights: SaeWeights, options: SaeOptions = {}): Sae {
    validateSaeWeights(weights);
    return new Sae(backend, weights, options);
  }

  #alive(): void {
    if (this.#disposed) throw new SaekitError('Sae has been disposed');
  }

  #rowsOf(x: Tensor): number {
    if (x.shape.length !== 2 || x.shape[1] !== this.dIn || x.dtype !== 'float32') {
      throw new ShapeError(
        `Sae.encode: input must be float32 [B, dIn = ${this.dIn}], got ${x.dtype} [${x.shape.join(', ')}]`,
      );
    }
    return x.shape[0];
  }

  /** Sparse code of x [B, dIn]; the caller disposes both tensors. */
  encode(x: Tensor): SparseCode {
    this.#alive();
    const rows = this.#rowsOf(x);
    const b = this.backend;
    const pre = b.create([rows, this.dSae]);
    if (this.applyBDecToInput) {
      const xt = b.create([rows, this.dIn]);
      b.axpby(xt, 1, x, -1, this.#bDec);
      b.matmul(pre, xt, this.#wEnc, { transB: true, bias: this.#bEnc });
      b.dispose(xt);
    } else {
      b.matmul(pre, x, this.#wEnc, { transB: true, bias: this.#bEnc });
    }
    const values = b.create([rows, this.width]);
    const indices = b.create([rows, this.width], 'int32');
    switch (this.architecture) {
      case 'topk':
        b.topk(values, indices, pre);
        b.maskPositive(values, values, values);
        break;
      case 'standard':
        b.maskPositive(pre, pre, pre);
        b.topk(values, indices, pre);
        break;
      case 'batchtopk':
      case 'jumprelu':
        b.thresholdRelu(pre, pre, this.#threshold!);
        b.topk(values, indices, pre);
        break;
    }
    b.dispose(pre);
    return { values, indices };
  }

  /** x̂ [B, dIn] = b_dec + Σ_j values[b,j] · W_dec[indices[b,j]]. */
  decode(code: SparseCode, out?: Tensor): Tensor {
    this.#alive();
    const rows = code.values.shape[0];
    const y = out ?? this.backend.create([rows, this.dIn]);
    this.backend.gatherSum(y, code.values, code.indices, this.#wDec, this.#bDec);
    return y;
  }

  /** Encode then decode (a transcoder's prediction of its target); the caller disposes both. */
  forward(x: Tensor): { code: SparseCode; reconstruction: Tensor } {
    const code = this.encode(x);
    return { code, reconstruction: this.decode(code) };
  }

  #upload(x: Float32Array, rows?: number): Tensor {
    const n = rows ?? x.length / this.dIn;
    if (!Number.isInteger(n) || n < 1 || x.length !== n * this.dIn) {
      throw new ShapeError(
        `Sae: host input has ${x.length} values, not ${rows === undefined ? 'a positive multiple of' : `${rows} rows ×`} dIn = ${this.dIn}`,
      );
    }
    return this.backend.create([n, this.dIn], 'float32', x);
  }

  /** Host convenience: the sparse code of x (rows × dIn), zero slots marked with index −1. */
  async encodeHost(x: Float32Array, rows?: number): Promise<HostSparseCode> {
    const t = this.#upload(x, rows);
    const code = this.encode(t);
    this.backend.flush();
    const values = Float32Array.from((await this.backend.read(code.values)) as Float32Array);
    const indices = Int32Array.from((await this.backend.read(code.indices)) as Int32Array);
    for (const d of [t, code.values, code.indices]) this.backend.dispose(d);
    for (let i = 0; i < values.length; i++) if (!(values[i] > 0)) indices[i] = -1;
    return { rows: t.shape[0], width: this.width, values, indices };
  }

  /** Host convenience: the reconstruction of x (rows × dIn). */
  async reconstructHost(x: Float32Array, rows?: number): Promise<Float32Array> {
    const t = this.#upload(x, rows);
    const { code, reconstruction } = this.forward(t);
    this.backend.flush();
    const out = Float32Array.from((await this.backend.read(reconstruction)) as Float32Array);
    for (const d of [t, code.values, code.indices, reconstruction]) this.backend.dispose(d);
    return out;
  }

  async toWeights(): Promise<SaeWeights> {
    this.#alive();
    const read = async (t: Tensor) =>
      Float32Array.from((await this.backend.read(t)) as Float32Array);
    return {
      architecture: this.architecture,
      dIn: this.dIn,
      dSae: this.dSae,
      ...(this.k === undefined ? {} : { k: this.k }),
      wEnc: await read(this.#wEnc),
      wDec: await read(this.#wDec),
      bEnc: await read(this.#bEnc),
      bDec: await read(this.#bDec),
      ...(this.#threshold ? { threshold: await read(this.#threshold) } : {}),
      applyBDecToInput: this.applyBDecToInput,
      ...(this.foldedInputScale === undefined ? {} : { foldedInputScale: this.foldedInputScale }),
      ...(this.transcoder ? { transcoder: true } : {}),
      ...(this.#foldedTargetScale === undefined
        ? {}
        : { foldedTargetScale: this.#foldedTargetScale }),
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const t of [this.#wEnc, this.#wDec, this.#bEnc, this.#bDec]) this.backend.dispose(t);
    if (this.#threshold) this.backend.dispose(this.#threshold);
    this.#disposed = true;
  }
}
