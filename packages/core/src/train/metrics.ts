/** What every training step reports (one small read-back per step). */
export interface StepMetrics {
  /** 1-based number of the step just taken. */
  readonly step: number;
  /** Training tokens seen so far, this step included. */
  readonly tokens: number;
  /** Σ‖x̂ − x‖² / Σ‖x − mean(x)‖² over the batch. */
  readonly fvu: number;
  /** Mean squared error per element, in the units of the raw (unscaled) activations. */
  readonly mse: number;
  /** Mean number of active latents per token. */
  readonly l0: number;
  /** Fraction of latents dead at the start of the step. */
  readonly deadFraction: number;
  /** AuxK loss (unweighted); 0 when no latent is dead. */
  readonly auxk: number;
  /** Learning rate used by this step. */
  readonly lr: number;
  /** Global gradient norm (scaled units, after the decoder projection, before clipping). */
  readonly gradNorm: number;
  /** BatchTopK only: the learned inference threshold θ (scaled units). */
  readonly threshold?: number;
  /** matryoshka: the training loss's main term, Σ over the nested prefixes of their FVU. */
  readonly prefixFvuSum?: number;
  /**
   * jumprelu, standard: the sparsity penalty with its coefficient and warmup (the loss is the
   * per-token squared error in scaled units plus this).
   */
  readonly sparsityLoss?: number;
  /** Tokens per second over this step (wall clock between step completions). */
  readonly tokensPerSecond: number;
}
