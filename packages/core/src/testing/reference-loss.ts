/**
 * A float64 host reference of the Top-K training loss (FVU + α·AuxK, design §3), written for
 * clarity, used to check the backend gradients by central differences. With a `target` it
 * is a transcoder's loss.
 */
export interface ReferenceParams {
  /** [m, d] */
  readonly wEnc: Float64Array;
  /** [m] */
  readonly bEnc: Float64Array;
  /** [m, d] */
  readonly wDec: Float64Array;
  /** [d] */
  readonly bDec: Float64Array;
}

export interface ReferenceProblem {
  /** [rows, d] scaled inputs */
  readonly x: Float64Array;
  readonly rows: number;
  readonly dIn: number;
  readonly dSae: number;
  readonly k: number;
  readonly kAux: number;
  readonly alpha: number;
  /** dead[i] = true when latent i may take part in AuxK */
  readonly dead: readonly boolean[];
  /**
   * BatchTopK instead of Top-K: each row offers its top `cap` pre-activations, the batch keeps
   * those ≥ the (rows·k)-th largest offer (and > 0).
   */
  readonly batchTopKCap?: number;
  /**
   * Matryoshka: nested prefix sizes ending with dSae. The main term becomes Σ_j FVU_j, FVU_j
   * the FVU of the reconstruction from the selected latents i < m_j alone.
   */
  readonly matryoshkaWidths?: readonly number[];
  /**
   * A transcoder: the rows [rows, d] to predict from x. The encoder then reads x uncentred
   * (b_dec is in target space) and every term is measured against the target.
   */
  readonly target?: Float64Array;
}

export interface ReferenceResult {
  readonly loss: number;
  readonly fvu: number;
  readonly auxk: number;
  /** e = x − x̂ [rows, d] */
  readonly residual: Float64Array;
  /** Per row, the selected latents of the main top-k (value > 0). */
  readonly active: number[][];
  /** Per row, the selected dead latents of AuxK (value > 0). */
  readonly auxActive: number[][];
}

/** Indices of the n largest entries of `row` among `allowed`, ties to the lower index. */
function topIndices(row: Float64Array, n: number, allowed: (i: number) => boolean): number[] {
  const cand: number[] = [];
  for (let i = 0; i < row.length; i++) if (allowed(i)) cand.push(i);
  cand.sort((a, b) => row[b] - row[a] || a - b);
  return cand.slice(0, n);
}

/** Σ_r ‖v[r] − mean_r v[r]‖² over a [rows, d] matrix, in float64. */
export function centeredSumSquares(v: Float64Array, rows: number, d: number): number {
  let total = 0;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += v[r * d + c];
    mean /= rows;
    for (let r = 0; r < rows; r++) total += (v[r * d + c] - mean) ** 2;
  }
  return total;
}

/**
 * The loss at `params`. AuxK's target is `fixedResidual` when given (the residual is a
 * constant for the gradient: pass the unperturbed run's residual when differencing).
 */
export function referenceLoss(
  params: ReferenceParams,
  problem: ReferenceProblem,
  fixedResidual?: Float64Array,
): ReferenceResult {
  const { x, rows, dIn: d, dSae: m, k, kAux, alpha, dead } = problem;
  const y = problem.target ?? x;
  const centre = problem.target === undefined ? params.bDec : new Float64Array(d);
  const residual = new Float64Array(rows * d);
  const aux = new Float64Array(rows * d);
  const active: number[][] = [];
  const auxActive: number[][] = [];
  let fvuNum = 0;
  const preAll: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const pre = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = params.bEnc[i];
      for (let c = 0; c < d; c++) s += (x[r * d + c] - centre[c]) * params.wEnc[i * d + c];
      pre[i] = s;
    }
    preAll.push(pre);
  }
  const cap = problem.batchTopKCap;
  let batchThreshold = Number.NEGATIVE_INFINITY;
  if (cap !== undefined) {
    const offers = preAll.flatMap((pre) => topIndices(pre, cap, () => true).map((i) => pre[i]));
    offers.sort((a, b) => b - a);
    batchThreshold = offers[rows * k - 1];
  }
  for (let r = 0; r < rows; r++) {
    const pre = preAll[r];
    const sel =
      cap === undefined
        ? topIndices(pre, k, () => true).filter((i) => pre[i] > 0)
        : topIndices(pre, cap, () => true).filter((i) => pre[i] >= batchThreshold && pre[i] > 0);
    active.push(sel);
    for (let c = 0; c < d; c++) {
      let xhat = params.bDec[c];
      for (const i of sel) xhat += pre[i] * params.wDec[i * d + c];
      residual[r * d + c] = y[r * d + c] - xhat;
      fvuNum += residual[r * d + c] ** 2;
    }
    const auxSel = topIndices(pre, kAux, (i) => dead[i]).filter((i) => pre[i] > 0);
    auxActive.push(auxSel);
    for (let c = 0; c < d; c++) {
      let ehat = 0;
      for (const i of auxSel) ehat += pre[i] * params.wDec[i * d + c];
      aux[r * d + c] = ehat;
    }
  }
  const den = centeredSumSquares(y, rows, d);
  const fvu = fvuNum / den;
  let main = fvu;
  const widths = problem.matryoshkaWidths;
  if (widths !== undefined) {
    main = 0;
    for (const width of widths) {
      let num = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < d; c++) {
          let xhat = params.bDec[c];
          for (const i of active[r]) if (i < width) xhat += preAll[r][i] * params.wDec[i * d + c];
          num += (y[r * d + c] - xhat) ** 2;
        }
      }
      main += num / den;
    }
  }
  const target = fixedResidual ?? residual;
  let auxNum = 0;
  for (let i = 0; i < aux.length; i++) auxNum += (aux[i] - target[i]) ** 2;
  const auxDen = centeredSumSquares(target, rows, d);
  const anyDead = dead.some((v) => v);
  const auxk = anyDead && auxDen > 0 ? auxNum / auxDen : 0;
  return { loss: main + alpha * auxk, fvu, auxk, residual, active, auxActive };
}

/** Central-difference gradient of the loss w.r.t. every entry of every parameter. */
export function centralDifferenceGradients(
  params: ReferenceParams,
  problem: ReferenceProblem,
  h = 1e-6,
): Record<keyof ReferenceParams, Float64Array> {
  const base = referenceLoss(params, problem);
  return centralDifferences(params, () => referenceLoss(params, problem, base.residual).loss, h);
}

/**
 * Central differences of `loss()` (which reads `params`) w.r.t. every entry of every
 * parameter, perturbing the arrays in place and restoring them.
 */
export function centralDifferences(
  params: ReferenceParams,
  loss: () => number,
  h = 1e-6,
): Record<keyof ReferenceParams, Float64Array> {
  const out = {} as Record<keyof ReferenceParams, Float64Array>;
  for (const name of ['wEnc', 'bEnc', 'wDec', 'bDec'] as const) {
    const p = params[name];
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const keep = p[i];
      p[i] = keep + h;
      const up = loss();
      p[i] = keep - h;
      const down = loss();
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    out[name] = g;
  }
  return out;
}

/** The dense architectures' training problem (see DenseStep for the losses). */
export interface ReferenceDenseProblem {
  readonly x: Float64Array;
  readonly rows: number;
  readonly dIn: number;
  readonly dSae: number;
  readonly architecture: 'jumprelu' | 'standard';
  /** The sparsity coefficient λ (warmup already applied). */
  readonly lambda: number;
  /** jumprelu: θ [m], bandwidth ε and the optional target L0. */
  readonly threshold?: Float64Array;
  readonly bandwidth?: number;
  readonly targetL0?: number;
  /**
   * jumprelu: the pre-activation loss c·(1/B)Σ_b Σ_{i dead} relu(θ_i − pre_bi), with dead [m]
   * 1 for a dead latent (W_dec rows have unit norm in training, so SAELens's ‖W_dec[i]‖ factor
   * is 1 and its gradient is radial, removed by the decoder projection).
   */
  readonly preAct?: { readonly coefficient: number; readonly dead: ArrayLike<number> };
}

export interface ReferenceDenseResult {
  readonly loss: number;
  /** (1/B)Σ_b‖x̂_b − x_b‖² */
  readonly reconstruction: number;
  /** The penalty with its coefficient. */
  readonly sparsity: number;
  /** Mean number of active latents per token. */
  readonly l0: number;
  /** f [rows, m] and pre [rows, m]. */
  readonly acts: Float64Array;
  readonly pre: Float64Array;
  /** x̂ − x [rows, d] */
  readonly diff: Float64Array;
}

export function referenceDenseLoss(
  params: ReferenceParams,
  problem: ReferenceDenseProblem,
): ReferenceDenseResult {
  const { x, rows, dIn: d, dSae: m, architecture, lambda } = problem;
  const jump = architecture === 'jumprelu';
  const pre = new Float64Array(rows * m);
  const acts = new Float64Array(rows * m);
  const diff = new Float64Array(rows * d);
  let active = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      let s = params.bEnc[i];
      for (let c = 0; c < d; c++) s += (x[r * d + c] - params.bDec[c]) * params.wEnc[i * d + c];
      pre[r * m + i] = s;
      const on = jump ? s > problem.threshold![i] && s > 0 : s > 0;
      acts[r * m + i] = on ? s : 0;
      if (on) active++;
    }
  }
  let reconstruction = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) {
      let v = params.bDec[c];
      for (let i = 0; i < m; i++) v += acts[r * m + i] * params.wDec[i * d + c];
      diff[r * d + c] = v - x[r * d + c];
      reconstruction += diff[r * d + c] ** 2;
    }
  }
  reconstruction /= rows;
  const l0 = active / rows;
  let sparsity: number;
  if (jump) {
    const t = problem.targetL0;
    sparsity = t === undefined ? lambda * l0 : lambda * (l0 / t - 1) ** 2;
    const pa = problem.preAct;
    if (pa) {
      let below = 0;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < m; i++) {
          if (pa.dead[i]) below += Math.max(0, problem.threshold![i] - pre[r * m + i]);
        }
      }
      sparsity += (pa.coefficient * below) / rows;
    }
  } else {
    let l1 = 0;
    for (let i = 0; i < m; i++) {
      let n = 0;
      for (let c = 0; c < d; c++) n += params.wDec[i * d + c] ** 2;
      n = Math.sqrt(n);
      for (let r = 0; r < rows; r++) l1 += acts[r * m + i] * n;
    }
    sparsity = (lambda * l1) / rows;
  }
  return { loss: reconstruction + sparsity, reconstruction, sparsity, l0, acts, pre, diff };
}

/**
 * JumpReLU's straight-through gradient ∂L/∂θ_i in float64 (Rajamanoharan et al. 2024, with
 * the rectangle kernel K(u) = 1[|u| < 1/2]):
 * −(1/ε) Σ_b K((pre_bi − θ_i)/ε) · (θ_i·∂L/∂f_bi + κ), ∂L/∂f_bi = (2/B)⟨x̂_b − x_b, W_dec[i]⟩,
 * κ = λ/B for the L0 penalty and 2λ(L0/L* − 1)/(L*·B) for the quadratic one; plus, with the
 * pre-activation loss, its exact derivative (c/B)·Σ_b 1[pre_bi < θ_i] for a dead latent.
 */
export function referenceJumpReluThresholdGradient(
  params: ReferenceParams,
  problem: ReferenceDenseProblem,
): Float64Array {
  const { rows, dIn: d, dSae: m, lambda } = problem;
  const theta = problem.threshold!;
  const eps = problem.bandwidth!;
  const r0 = referenceDenseLoss(params, problem);
  const t = problem.targetL0;
  const kappa = t === undefined ? lambda / rows : (2 * lambda * (r0.l0 / t - 1)) / (t * rows);
  const g = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let r = 0; r < rows; r++) {
      if (Math.abs((r0.pre[r * m + i] - theta[i]) / eps) >= 0.5) continue;
      let df = 0;
      for (let c = 0; c < d; c++) df += r0.diff[r * d + c] * params.wDec[i * d + c];
      s += theta[i] * ((2 / rows) * df) + kappa;
    }
    g[i] = -s / eps;
    const pa = problem.preAct;
    if (pa?.dead[i]) {
      for (let r = 0; r < rows; r++) {
        if (r0.pre[r * m + i] < theta[i]) g[i] += pa.coefficient / rows;
      }
    }
  }
  return g;
}
