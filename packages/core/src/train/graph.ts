import type { Backend } from '../backend/backend.js';
import type { DeviceScale } from '../backend/scale.js';
import type { Tensor } from '../backend/tensor.js';
import { isBatchTopK, isDenseArchitecture, type TrainConfig } from './config.js';
import { DenseStep } from './dense-step.js';

/** Slots of the per-step metrics tensor: the only thing a step reads back. */
export const M = {
  /** Σ‖x̂ − x‖² (scaled units) */
  fvuNum: 0,
  /** Σ‖x − mean(x)‖² */
  fvuDen: 1,
  /** Σ over tokens of active latents */
  active: 2,
  /** Σ‖ê − e‖² */
  auxNum: 3,
  /** Σ‖e − mean(e)‖² */
  auxDen: 4,
  /** number of dead latents at the start of the step */
  dead: 5,
  /** Σ of squared gradients (after the decoder projection) */
  gradNormSq: 6,
  /** BatchTopK: θ after the update */
  threshold: 7,
  /** BatchTopK: this batch's threshold */
  batchThreshold: 8,
  /** standard: Σ_b Σ_i f_bi·‖W_dec[i]‖ */
  l1: 9,
  /** matryoshka: Σ over the prefixes (the full width included) of Σ‖x̂_prefix − x‖² */
  prefixNum: 10,
} as const;
export const METRICS_SIZE = 11;

export const PARAM_NAMES = ['wEnc', 'bEnc', 'wDec', 'bDec'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];
export type ParamSet = Record<ParamName, Tensor>;

/** Per-batch-size work tensors (a final short batch gets its own set). */
export interface Work {
  readonly rows: number;
  readonly x: Tensor;
  /**
   * What the step reconstructs: x itself for an SAE, the target rows for a transcoder (the
   * trainer writes them here; loss, FVU and AuxK are measured against them).
   */
  readonly target: Tensor;
  /** The encoder's input: x − b_dec for an SAE, x itself for a transcoder (b_dec is in target space). */
  readonly xt: Tensor;
  readonly xhat: Tensor;
  readonly diff: Tensor;
}

/** The sparse (Top-K, BatchTopK) step's work tensors besides the shared ones. */
interface SparseWork extends Work {
  readonly pre: Tensor;
  readonly vals: Tensor;
  readonly idx: Tensor;
  readonly dz: Tensor;
  readonly active: Tensor;
  readonly auxVals: Tensor | null;
  readonly auxIdx: Tensor | null;
  readonly ehat: Tensor | null;
  readonly auxDiff: Tensor | null;
  readonly dzAux: Tensor | null;
  /** matryoshka: a prefix's share of the code, its reconstruction and ∂z; ones [rows, 1]. */
  readonly prefix: {
    readonly ones: Tensor;
    readonly inPrefix: Tensor;
    readonly vals: Tensor;
    readonly diff: Tensor;
    readonly dz: Tensor;
  } | null;
}

/**
 * The device side of training: parameters, gradients, Adam moments, dead-latent counters and
 * the kernels of one step (design §3), issued through the Backend contract only. Nothing here
 * reads back; the caller reads the small metrics tensor.
 */
export class TrainGraph {
  readonly params: ParamSet;
  readonly grads: ParamSet;
  readonly adamM: ParamSet;
  readonly adamV: ParamSet;
  /** Tokens since each latent last fired. */
  readonly stale: Tensor;
  /** Tokens on which each latent fired, since the start of training. */
  readonly firing: Tensor;
  readonly firedStep: Tensor;
  readonly deadMask: Tensor;
  /** BatchTopK: [θ]; JumpReLU: θ [m, 1] (a trained parameter); batchThr: this batch's threshold. */
  readonly theta: Tensor;
  readonly batchThr: Tensor;
  /** Two metrics tensors used alternately, so one step's read can overlap the next step. */
  readonly metrics: [Tensor, Tensor];
  /** The dense architectures' step (jumprelu, standard); null for the sparse ones. */
  readonly dense: DenseStep | null;
  /** JumpReLU: Adam's moments of log θ. */
  readonly thresholdAdamM: Tensor | null;
  readonly thresholdAdamV: Tensor | null;
  /** matryoshka: per proper prefix m_j (< dSae), the [m, 1] indicator of latents i < m_j. */
  readonly prefixMasks: readonly Tensor[];
  readonly #work = new Map<number, Work>();
  readonly #owned: Tensor[] = [];

  constructor(
    readonly backend: Backend,
    readonly config: TrainConfig,
  ) {
    const { dIn: d, dSae: m } = config;
    const shapes: Record<ParamName, number[]> = {
      wEnc: [m, d],
      bEnc: [m],
      wDec: [m, d],
      bDec: [d],
    };
    const set = (): ParamSet => ({
      wEnc: this.#t(shapes.wEnc),
      bEnc: this.#t(shapes.bEnc),
      wDec: this.#t(shapes.wDec),
      bDec: this.#t(shapes.bDec),
    });
    this.params = set();
    this.grads = set();
    this.adamM = set();
    this.adamV = set();
    this.stale = this.#t([m]);
    this.firing = this.#t([m]);
    this.firedStep = this.#t([m]);
    this.deadMask = this.#t([m]);
    this.dense = isDenseArchitecture(config.architecture)
      ? new DenseStep(backend, config, (shape, dtype) => this.#t(shape, dtype))
      : null;
    // Stryker disable next-line ArrayDeclaration: equivalent: a 0-d tensor ([]) also holds one value.
    this.theta = this.dense?.threshold ?? this.#t([1]);
    this.thresholdAdamM = this.dense?.threshold ? this.#t([m, 1]) : null;
    this.thresholdAdamV = this.dense?.threshold ? this.#t([m, 1]) : null;
    this.prefixMasks =
      // Mutants here are equivalent: other architectures' widths are [dSae] (config.ts), which has
      // no proper prefix either.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      config.architecture === 'matryoshka'
        ? config.matryoshkaWidths.slice(0, -1).map((width) => {
            const t = this.#t([m, 1]);
            backend.write(
              t,
              Float32Array.from({ length: m }, (_, i) => (i < width ? 1 : 0)),
            );
            return t;
          })
        : [];
    // Stryker disable next-line ArrayDeclaration: equivalent: a 0-d tensor ([]) also holds one value.
    this.batchThr = this.#t([1]);
    this.metrics = [this.#t([METRICS_SIZE]), this.#t([METRICS_SIZE])];
  }

  #t(shape: number[], dtype: 'float32' | 'int32' = 'float32'): Tensor {
    const t = this.backend.create(shape, dtype);
    this.#owned.push(t);
    return t;
  }

  /** Width of the sparse code a sparse training step produces (k, or BatchTopK's cap). */
  get codeWidth(): number {
    return isBatchTopK(this.config.architecture)
      ? this.config.batchTopKCap
      : (this.config.k ?? this.config.dSae);
  }

  /** Whether the step predicts a separate target (a transcoder) rather than its input. */
  get transcoder(): boolean {
    return this.config.targetTensor !== null;
  }

  get auxkOn(): boolean {
    return this.config.auxkAlpha > 0;
  }

  work(rows: number): Work {
    let w = this.#work.get(rows);
    if (w) return w;
    const d = this.config.dIn;
    const x = this.#t([rows, d]);
    const transcoder = this.transcoder;
    const base: Work = {
      rows,
      x,
      target: transcoder ? this.#t([rows, d]) : x,
      xt: transcoder ? x : this.#t([rows, d]),
      xhat: this.#t([rows, d]),
      diff: this.#t([rows, d]),
    };
    w = this.dense ? base : this.#sparseWork(base);
    this.#work.set(rows, w);
    return w;
  }

  #sparseWork(base: Work): SparseWork {
    const { rows } = base;
    const { dIn: d, dSae: m, kAux } = this.config;
    const kw = this.codeWidth;
    const aux = this.auxkOn;
    return {
      ...base,
      pre: this.#t([rows, m]),
      vals: this.#t([rows, kw]),
      idx: this.#t([rows, kw], 'int32'),
      dz: this.#t([rows, kw]),
      active: this.#t([rows, kw]),
      auxVals: aux ? this.#t([rows, kAux]) : null,
      auxIdx: aux ? this.#t([rows, kAux], 'int32') : null,
      ehat: aux ? this.#t([rows, d]) : null,
      auxDiff: aux ? this.#t([rows, d]) : null,
      dzAux: aux ? this.#t([rows, kAux]) : null,
      prefix:
        // Mutants here are equivalent: prefix buffers for an architecture without prefixes only feed
        // prefixNum, which the trainer reports for matryoshka alone, and #prefixTerms loops over no mask.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
        this.prefixMasks.length > 0
          ? {
              ones: this.#ones(rows),
              inPrefix: this.#t([rows, kw]),
              vals: this.#t([rows, kw]),
              diff: this.#t([rows, d]),
              dz: this.#t([rows, kw]),
            }
          : null,
    };
  }

  #ones(rows: number): Tensor {
    const t = this.#t([rows, 1]);
    this.backend.fill(t, 1);
    return t;
  }

  /**
   * Forward and backward for the batch already in `work(rows).x` (scaled units): fills
   * `grads` and the metrics slots, and updates nothing else. `step` is 1-based (BatchTopK
   * takes its first batch threshold as θ).
   */
  forwardBackward(rows: number, metrics: Tensor, step: number): void {
    const b = this.backend;
    const { params: p, grads: g, config: c } = this;
    b.fill(metrics, 0);

    // Dead latents are judged before this step's firing is counted.
    b.greaterThan(this.deadMask, this.stale, c.deadTokens - 0.5);
    b.reduce(metrics, M.dead, this.deadMask, 'sum');
    const base = this.work(rows);
    // A transcoder's b_dec lives in target space: its input goes to the encoder as it is.
    if (!this.transcoder) b.axpby(base.xt, 1, base.x, -1, p.bDec);
    if (this.dense) {
      this.dense.forwardBackward(
        rows,
        base.x,
        base.xt,
        base.xhat,
        base.diff,
        p,
        g,
        metrics,
        M,
        this.firedStep,
        this.deadMask,
        step,
      );
      return;
    }
    const w = base as SparseWork;
    const k = c.k ?? 1;

    // Forward.
    b.matmul(w.pre, w.xt, p.wEnc, { transB: true, bias: p.bEnc });
    b.topk(w.vals, w.idx, w.pre);
    if (isBatchTopK(c.architecture)) {
      // The batch's (B·k)-th largest candidate is its threshold; θ tracks it for inference.
      b.kthLargest(this.batchThr, 0, w.vals, rows * k);
      b.thresholdRelu(w.vals, w.vals, this.batchThr, 0);
      if (step <= 1) b.copy(this.theta, this.batchThr);
      else
        b.axpby(
          this.theta,
          c.thresholdMomentum,
          this.theta,
          1 - c.thresholdMomentum,
          this.batchThr,
        );
      b.reduce(metrics, M.threshold, this.theta, 'sum');
      b.reduce(metrics, M.batchThreshold, this.batchThr, 'sum');
    } else {
      b.maskPositive(w.vals, w.vals, w.vals);
    }
    b.gatherSum(w.xhat, w.vals, w.idx, p.wDec, p.bDec);
    b.axpby(w.diff, 1, w.xhat, -1, w.target); // x̂ − x = −e
    b.reduce(metrics, M.fvuNum, w.diff, 'sumSquares');
    // Stryker disable next-line ConditionalExpression: equivalent: prefixNum is read for matryoshka only.
    if (w.prefix) b.reduce(metrics, M.prefixNum, w.diff, 'sumSquares');
    b.reduce(metrics, M.fvuDen, w.target, 'sumSquaresCentered');
    b.greaterThan(w.active, w.vals, 0);
    b.reduce(metrics, M.active, w.active, 'sum');
    b.fill(this.firedStep, 0);
    b.scatterAdd(this.firedStep, w.idx, w.active);

    // AuxK forward: the dead latents' top-k_aux reconstruct the residual e (no gradient
    // through e). Masked top-k leaves index −1 in slots beyond the number of dead latents.
    const aux = this.auxkOn;
    if (aux) {
      b.topk(w.auxVals!, w.auxIdx!, w.pre, this.deadMask);
      b.maskPositive(w.auxVals!, w.auxVals!, w.auxVals!);
      b.gatherSum(w.ehat!, w.auxVals!, w.auxIdx!, p.wDec);
      b.axpby(w.auxDiff!, 1, w.ehat!, 1, w.diff); // ê − e
      b.reduce(metrics, M.auxNum, w.auxDiff!, 'sumSquares');
      b.reduce(metrics, M.auxDen, w.diff, 'sumSquaresCentered');
      const auxScale: DeviceScale = {
        numerator: 2 * c.auxkAlpha,
        source: metrics,
        index: M.auxDen,
      };
      b.axpby(w.auxDiff!, auxScale, w.auxDiff!, 0, w.auxDiff!); // ∂(α·AuxK)/∂ê
    }
    const fvuScale: DeviceScale = { numerator: 2, source: metrics, index: M.fvuDen };
    b.axpby(w.diff, fvuScale, w.diff, 0, w.diff); // ∂FVU/∂x̂

    // Backward of the main term.
    b.columnSums(g.bDec, w.diff);
    b.fill(g.wDec, 0);
    b.scatterOuterAdd(g.wDec, w.idx, w.vals, w.diff);
    b.gatherDot(w.dz, w.diff, w.idx, p.wDec);
    b.maskPositive(w.dz, w.dz, w.vals);
    // Stryker disable next-line ConditionalExpression: equivalent: without prefixes it loops over no mask.
    if (w.prefix) this.#prefixTerms(w, metrics);
    b.fill(g.wEnc, 0);
    b.scatterOuterAdd(g.wEnc, w.idx, w.dz, w.xt);
    b.fill(g.bEnc, 0);
    b.scatterAdd(g.bEnc, w.idx, w.dz);

    // Backward of AuxK: reaches W_dec, and through the dead latents' pre-activations W_enc,
    // b_enc and (via x̃) b_dec.
    if (aux) {
      b.scatterOuterAdd(g.wDec, w.auxIdx!, w.auxVals!, w.auxDiff!);
      b.gatherDot(w.dzAux!, w.auxDiff!, w.auxIdx!, p.wDec);
      b.maskPositive(w.dzAux!, w.dzAux!, w.auxVals!);
      b.scatterOuterAdd(g.wEnc, w.auxIdx!, w.dzAux!, w.xt);
      b.scatterAdd(g.bEnc, w.auxIdx!, w.dzAux!);
    }
    // x̃ = x − b_dec: Σ_b ∂x̃[b] = Σ_b Σ_j ∂pre[b,j]·W_enc[idx] = W_encᵀ·∂b_enc. A
    // transcoder's encoder never sees b_dec.
    if (!this.transcoder) b.matmul(g.bDec, g.bEnc, p.wEnc, { alpha: -1, accumulate: true });
  }

  /**
   * Matryoshka's proper prefixes (Bussmann et al. 2025): each m_j reconstructs x from the
   * code's latents i < m_j alone, and its FVU joins the loss. Adds each one's gradients to
   * ∂b_dec, ∂W_dec and ∂z (the full width's are already there); the encoder part follows ∂z.
   */
  #prefixTerms(w: SparseWork, metrics: Tensor): void {
    const b = this.backend;
    const { params: p, grads: g } = this;
    const q = w.prefix!;
    const fvuScale: DeviceScale = { numerator: 2, source: metrics, index: M.fvuDen };
    for (const mask of this.prefixMasks) {
      // inPrefix[b, s] = mask[idx[b, s]]: a gather-dot of ones [rows, 1] with the mask's rows.
      b.gatherDot(q.inPrefix, q.ones, w.idx, mask);
      b.maskPositive(q.vals, w.vals, q.inPrefix);
      b.gatherSum(q.diff, q.vals, w.idx, p.wDec, p.bDec);
      b.axpby(q.diff, 1, q.diff, -1, w.target);
      b.reduce(metrics, M.prefixNum, q.diff, 'sumSquares', true);
      b.axpby(q.diff, fvuScale, q.diff, 0, q.diff);
      b.columnSums(g.bDec, q.diff, true);
      b.scatterOuterAdd(g.wDec, w.idx, q.vals, q.diff);
      b.gatherDot(q.dz, q.diff, w.idx, p.wDec);
      b.maskPositive(q.dz, q.dz, q.vals);
      b.axpby(w.dz, 1, w.dz, 1, q.dz);
    }
  }

  /** Decoder projection, optional clipping, Adam, decoder renormalisation, counters. */
  update(rows: number, metrics: Tensor, step: number, lr: number): void {
    const b = this.backend;
    const c = this.config;
    // standard keeps W_dec free (its L1 term is weighted by the row norms instead).
    const unitDecoder = c.architecture !== 'standard';
    if (unitDecoder) b.removeParallel(this.grads.wDec, this.params.wDec);
    const thresholdGrad = this.dense?.thresholdGrad ?? null;
    for (const name of PARAM_NAMES)
      b.reduce(metrics, M.gradNormSq, this.grads[name], 'sumSquares', true);
    if (thresholdGrad) b.reduce(metrics, M.gradNormSq, thresholdGrad, 'sumSquares', true);
    const gradScale: DeviceScale | undefined =
      c.clipGradNorm === null
        ? undefined
        : { numerator: c.clipGradNorm, source: metrics, index: M.gradNormSq, sqrt: true, max: 1 };
    const adam = {
      lr,
      beta1: c.beta1,
      beta2: c.beta2,
      eps: c.eps,
      step,
      ...(gradScale ? { gradScale } : {}),
    };
    for (const name of PARAM_NAMES) {
      b.adam(this.params[name], this.grads[name], this.adamM[name], this.adamV[name], adam);
    }
    if (thresholdGrad) {
      // Adam on log θ: its step Δ (Adam run on a zero parameter) becomes θ ← θ·exp(Δ), so θ
      // stays positive at any lr.
      const delta = this.dense!.thresholdDelta!;
      b.fill(delta, 0);
      b.adam(delta, thresholdGrad, this.thresholdAdamM!, this.thresholdAdamV!, adam);
      b.exp(delta, delta);
      this.dense!.scaleThreshold(delta);
    }
    if (unitDecoder) b.normalizeRows(this.params.wDec);
    b.staleCounter(this.stale, this.firedStep, rows);
    b.axpby(this.firing, 1, this.firing, 1, this.firedStep);
  }

  dispose(): void {
    for (const t of this.#owned) this.backend.dispose(t);
    this.#owned.length = 0;
    this.#work.clear();
  }
}
