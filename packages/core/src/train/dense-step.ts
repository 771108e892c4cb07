import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { sparsityWarmupAt, type TrainConfig } from './config.js';

/** Metric slots the dense step fills besides the shared ones (see graph.ts `M`). */
export interface DenseSlots {
  readonly fvuNum: number;
  readonly fvuDen: number;
  readonly active: number;
  /** standard: Σ_b Σ_i f_bi·‖W_dec[i]‖ (the L1 measure before its coefficient). */
  readonly l1: number;
}

/** The parameters and gradients the dense step reads and writes. */
export interface DenseParams {
  readonly wEnc: Tensor;
  readonly bEnc: Tensor;
  readonly wDec: Tensor;
  readonly bDec: Tensor;
}

/** Per-batch-size work tensors ([rows, m] ones dominate memory: 3 for standard, 5 for jumprelu). */
interface DenseWork {
  readonly pre: Tensor;
  readonly acts: Tensor;
  readonly dActs: Tensor;
  readonly mask: Tensor;
  readonly window: Tensor | null;
  /** jumprelu with the pre-activation loss: 1[latent dead and pre < θ]. */
  readonly below: Tensor | null;
}

/**
 * The training step of the dense architectures, through existing kernels only:
 *
 * - jumprelu (Rajamanoharan et al. 2024): f = pre·H(pre − θ) with a per-latent θ trained in
 *   log space. Loss = (1/B)Σ_b‖x̂_b − x_b‖² + λ·S, S = mean_b ‖f_b‖₀ or, with targetL0 = L*,
 *   λ·(S/L* − 1)². H has no gradient with respect to pre (so the penalty reaches only θ); for θ
 *   the straight-through estimator with a rectangle kernel of bandwidth ε:
 *   ∂f/∂θ := −(θ/ε)·1[|pre − θ| < ε/2], ∂H/∂θ := −(1/ε)·1[|pre − θ| < ε/2].
 * - standard (ReLU + L1, Anthropic's April 2024 update): f = relu(pre), loss = (1/B)Σ‖x̂ − x‖²
 *   + λ·(1/B)Σ_b Σ_i f_bi·‖W_dec[i]‖, with no unit-norm constraint on W_dec.
 *
 * The reconstruction term is the per-token squared error (not the FVU the sparse step uses)
 * so that λ means what it means in SAELens and the papers. x̂ = f·W_dec + b_dec is a dense
 * matmul. Elementwise products of two [m] vectors (θ ⊙ s) are gather-dots over [m, 1] views
 * with identity indices, so no kernel beyond the contract is needed.
 */
export class DenseStep {
  /** jumprelu: θ [m, 1] (scaled units). */
  readonly threshold: Tensor | null;
  /** jumprelu: ∂L/∂log θ [m, 1], Adam's gradient; and Adam's step Δlog θ (then exp(Δ)). */
  readonly thresholdGrad: Tensor | null;
  readonly thresholdDelta: Tensor | null;
  readonly #ident: Tensor;
  readonly #s1: Tensor;
  readonly #s2: Tensor;
  readonly #tmp: Tensor;
  readonly #coef: Tensor;
  readonly #one: Tensor;
  /** standard: W_dec rows normalised, and their norms [m, 1]. */
  readonly #unitDec: Tensor | null;
  readonly #decNorm: Tensor | null;
  /** jumprelu with the pre-activation loss: 0 for a dead latent, −1e30 for a live one. */
  readonly #deadShift: Tensor | null;
  readonly #onesM: Tensor | null;
  readonly #work = new Map<number, DenseWork>();

  constructor(
    readonly backend: Backend,
    readonly config: TrainConfig,
    readonly alloc: (shape: number[], dtype?: 'float32' | 'int32') => Tensor,
  ) {
    const { dSae: m, dIn: d } = config;
    const jump = config.architecture === 'jumprelu';
    this.threshold = jump ? alloc([m, 1]) : null;
    this.thresholdGrad = jump ? alloc([m, 1]) : null;
    this.thresholdDelta = jump ? alloc([m, 1]) : null;
    this.#ident = alloc([m, 1], 'int32');
    backend.write(
      this.#ident,
      Int32Array.from({ length: m }, (_, i) => i),
    );
    this.#s1 = alloc([m, 1]);
    this.#s2 = alloc([m, 1]);
    this.#tmp = alloc([m, 1]);
    this.#coef = alloc([1]);
    this.#one = alloc([1]);
    backend.fill(this.#one, 1);
    this.#unitDec = jump ? null : alloc([m, d]);
    this.#decNorm = jump ? null : alloc([m, 1]);
    const preAct = jump && config.jumpreluPreActCoefficient > 0;
    this.#deadShift = preAct ? alloc([m]) : null;
    this.#onesM = preAct ? alloc([m]) : null;
    if (this.#onesM) backend.fill(this.#onesM, 1);
  }

  #workFor(rows: number): DenseWork {
    let w = this.#work.get(rows);
    if (w) return w;
    const m = this.config.dSae;
    const jump = this.config.architecture === 'jumprelu';
    const pre = this.alloc([rows, m]);
    w = {
      pre,
      // standard applies the ReLU in place: its activations are `pre`.
      acts: jump ? this.alloc([rows, m]) : pre,
      dActs: this.alloc([rows, m]),
      mask: this.alloc([rows, m]),
      window: jump ? this.alloc([rows, m]) : null,
      below: this.#deadShift ? this.alloc([rows, m]) : null,
    };
    this.#work.set(rows, w);
    return w;
  }

  /** θ ← θ ⊙ factor, in place. */
  scaleThreshold(factor: Tensor): void {
    const theta = this.threshold!;
    this.#times(this.#tmp, theta, factor);
    this.backend.copy(theta, this.#tmp);
  }

  /** out = a ⊙ b for [m, 1] tensors (a gather-dot with identity indices). */
  #times(out: Tensor, a: Tensor, b: Tensor): void {
    this.backend.gatherDot(out, a, this.#ident, b);
  }

  /**
   * Forward and backward for x [rows, d] (x̃ = x − b_dec given): fills `grads` (and the
   * threshold gradient), the metric slots and `firedStep` (1 where a latent fired).
   */
  forwardBackward(
    rows: number,
    x: Tensor,
    xt: Tensor,
    xhat: Tensor,
    diff: Tensor,
    p: DenseParams,
    g: DenseParams,
    metrics: Tensor,
    slots: DenseSlots,
    firedStep: Tensor,
    deadMask: Tensor,
    step: number,
  ): void {
    const b = this.backend;
    const c = this.config;
    const w = this.#workFor(rows);
    const jump = c.architecture === 'jumprelu';
    const lambda = (jump ? c.l0Coefficient : c.l1Coefficient) * sparsityWarmupAt(c, step);

    // Forward.
    b.matmul(w.pre, xt, p.wEnc, { transB: true, bias: p.bEnc });
    if (jump) b.thresholdRelu(w.acts, w.pre, this.threshold!);
    else b.maskPositive(w.pre, w.pre, w.pre);
    b.matmul(xhat, w.acts, p.wDec, { bias: p.bDec });
    b.axpby(diff, 1, xhat, -1, x); // x̂ − x
    b.reduce(metrics, slots.fvuNum, diff, 'sumSquares');
    b.reduce(metrics, slots.fvuDen, x, 'sumSquaresCentered');
    b.greaterThan(w.mask, w.acts, 0);
    b.reduce(metrics, slots.active, w.mask, 'sum');
    b.columnSums(firedStep, w.mask);

    // ∂/∂x̂ of (1/B)Σ‖x̂ − x‖².
    b.axpby(diff, 2 / rows, diff, 0, diff);
    b.columnSums(g.bDec, diff);
    b.matmul(g.wDec, w.acts, diff, { transA: true });
    b.matmul(w.dActs, diff, p.wDec, { transB: true }); // ∂L/∂f, reconstruction part

    if (jump) this.#thresholdGradient(rows, w, lambda, deadMask);
    else this.#l1(rows, w, p, g, metrics, slots, lambda);

    // ∂pre = ∂f where the latent is active (JumpReLU: H has no gradient w.r.t. pre).
    b.maskPositive(w.dActs, w.dActs, w.acts);
    // The pre-activation loss: −c/B on every (token, dead latent) below its threshold.
    if (w.below) b.axpby(w.dActs, 1, w.dActs, -c.jumpreluPreActCoefficient / rows, w.below);
    b.matmul(g.wEnc, w.dActs, xt, { transA: true });
    b.columnSums(g.bEnc, w.dActs);
    // x̃ = x − b_dec: ∂b_dec −= Σ_b ∂x̃[b] = W_encᵀ·∂b_enc.
    b.matmul(g.bDec, g.bEnc, p.wEnc, { alpha: -1, accumulate: true });
  }

  /** jumprelu: ∂L/∂log θ = θ ⊙ ∂L/∂θ through the rectangle-kernel STE. */
  #thresholdGradient(rows: number, w: DenseWork, lambda: number, deadMask: Tensor): void {
    const b = this.backend;
    const c = this.config;
    const eps = c.jumpreluBandwidth;
    const theta = this.threshold!;
    const win = w.window!;
    // This batch's active count Σ_b‖f_b‖₀, for the quadratic penalty (before `mask` is reused).
    if (c.targetL0 !== null) b.reduce(this.#coef, 0, w.mask, 'sum');
    // window = 1[−ε/2 < pre − θ ≤ ε/2] = (u > −ε/2) − (u > ε/2), u = pre − θ (into `mask`,
    // whose firing counts are already taken; `pre` is free after the forward).
    b.axpby(w.mask, 1, w.pre, -1, theta);
    if (w.below) this.#below(w, deadMask);
    b.greaterThan(win, w.mask, -eps / 2);
    b.greaterThan(w.pre, w.mask, eps / 2);
    b.axpby(win, 1, win, -1, w.pre);
    // s1 = Σ_b window ⊙ ∂L/∂f (reconstruction), s2 = Σ_b window.
    b.maskPositive(w.mask, w.dActs, win);
    b.columnSums(this.#s1, w.mask);
    b.columnSums(this.#s2, win);
    // ∂L/∂θ = −(1/ε)(θ ⊙ s1 + κ·s2) with S = A/B the batch's mean L0 (A active pairs):
    // λ·S gives κ = λ/B; λ(S/L* − 1)² gives κ = 2λ(S/L* − 1)/(L*·B), a device scalar.
    this.#times(this.#tmp, this.#s1, theta);
    const target = c.targetL0;
    if (target === null) {
      b.axpby(this.thresholdGrad!, -1 / eps, this.#tmp, -lambda / (rows * eps), this.#s2);
    } else {
      // coef = −κ/ε = −2λA/(B²L*²ε) + 2λ/(L*Bε), from A in coef.
      const a = (2 * lambda) / (target * target * rows * rows * eps);
      b.axpby(this.#coef, -a, this.#coef, (2 * lambda) / (target * rows * eps), this.#one);
      // [m, 1] × [1, 1]: s2 scaled by the device scalar.
      b.matmul(this.thresholdGrad!, this.#s2, this.#coef);
      b.axpby(this.thresholdGrad!, -1 / eps, this.#tmp, 1, this.thresholdGrad!);
    }
    // The pre-activation loss lowers a dead latent's θ: ∂/∂θ_i = c/B·Σ_b below_bi.
    if (w.below) {
      b.columnSums(this.#s1, w.below);
      const k = c.jumpreluPreActCoefficient / rows;
      b.axpby(this.thresholdGrad!, 1, this.thresholdGrad!, k, this.#s1);
    }
    // Adam runs on log θ: ∂L/∂log θ = θ ⊙ ∂L/∂θ.
    this.#times(this.#tmp, this.thresholdGrad!, theta);
    b.copy(this.thresholdGrad!, this.#tmp);
  }

  /**
   * below = 1[latent dead and pre < θ] from u = pre − θ (in `mask`): θ − pre + shift > 0 with
   * shift 0 for a dead latent and −1e30 for a live one (a row vector broadcast over tokens).
   */
  #below(w: DenseWork, deadMask: Tensor): void {
    const b = this.backend;
    const shift = this.#deadShift!;
    b.axpby(shift, 1e30, deadMask, -1e30, this.#onesM!);
    b.axpby(w.pre, -1, w.mask, 1, shift);
    b.greaterThan(w.below!, w.pre, 0);
  }

  /** standard: the L1 term's gradients, λ/B·‖W_dec[i]‖ on ∂f and λ/B·Σ_b f_bi·W_dec[i]/‖·‖. */
  #l1(
    rows: number,
    w: DenseWork,
    p: DenseParams,
    g: DenseParams,
    metrics: Tensor,
    slots: DenseSlots,
    lambda: number,
  ): void {
    const b = this.backend;
    const unit = this.#unitDec!;
    const norms = this.#decNorm!;
    b.copy(unit, p.wDec);
    b.normalizeRows(unit);
    this.#rowDots(norms, p.wDec, unit); // ‖W_dec[i]‖ = ⟨W_dec[i], W_dec[i]/‖W_dec[i]‖⟩
    b.columnSums(this.#s1, w.acts); // Σ_b f_bi
    // The L1 measure Σ_i s_i·‖W_dec[i]‖ into its metric slot.
    b.matmul(this.#coef, this.#s1, norms, { transA: true }); // [1, m] × [m, 1]
    b.reduce(metrics, slots.l1, this.#coef, 'sum');
    const k = lambda / rows;
    b.axpby(w.dActs, 1, w.dActs, k, norms);
    b.axpby(this.#s1, k, this.#s1, 0, this.#s1);
    b.scatterOuterAdd(g.wDec, this.#ident, this.#s1, unit);
  }

  /** out[i] = ⟨a[i], b[i]⟩ for [m, d] matrices (out [m, 1]). */
  #rowDots(out: Tensor, a: Tensor, bm: Tensor): void {
    this.backend.gatherDot(out, a, this.#ident, bm);
  }
}
