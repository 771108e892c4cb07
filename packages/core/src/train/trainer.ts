import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { ConfigError, DataError, SaekitError } from '../errors.js';
import type { SaeWeights } from '../sae/weights.js';
import { Rng } from '../util/rng.js';
import { isMarkedFinite, markFinite } from './checked-batches.js';
import {
  isBatchTopK,
  isDenseArchitecture,
  learningRateAt,
  resolveTrainConfig,
  sparsityWarmupAt,
  type TrainConfig,
  type TrainConfigInput,
} from './config.js';
import { M, TrainGraph } from './graph.js';
import { geometricMedian, inputScaleOf, meanOf, tiedUnitRows } from './init.js';
import { checkConfigLimits } from './limits.js';
import type { StepMetrics } from './metrics.js';
import { checkFiniteRows, pairedBatch, type SplitBatch, splitBatch } from './paired.js';
import type { JsonObject, TrainingState } from './state.js';
import {
  captureState,
  configFromState,
  restoreState,
  type TrainerProgress,
} from './trainer-state.js';

export interface TrainerOptions {
  /** Tokens for b_dec and the input scale (≥ config.initTokens rows advised). */
  readonly initData?: Float32Array;
  /** Resume from this state (its config is used; a passed config must agree with it). */
  readonly state?: TrainingState;
}

export interface TrainOptions {
  readonly onStep?: (metrics: StepMetrics) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Stop after this many steps in this call (default: until config.steps or the source ends). */
  readonly maxSteps?: number;
}

export interface TrainSummary {
  readonly steps: number;
  readonly tokens: number;
  readonly last: StepMetrics | null;
  /** Why the loop ended. */
  readonly stopped: 'completed' | 'source-exhausted' | 'aborted' | 'max-steps';
}

interface Pending {
  readonly step: number;
  readonly tokens: number;
  readonly rows: number;
  readonly lr: number;
  readonly start: number;
  readonly read: Promise<Float32Array>;
}

/** checkFiniteRows on a batch's input and, for a transcoder, its target block. */
function checkSplitFinite(split: SplitBatch, dIn: number, paired: boolean, source: string): void {
  checkFiniteRows(split.input, dIn, paired ? `${source} input` : source);
  if (paired) checkFiniteRows(split.target, dIn, `${source} target`);
}

/**
 * The dense architectures' penalty at a step, coefficient and warmup included: jumprelu λ·L0
 * or λ(L0/L* − 1)², standard λ·mean_b Σ_i f_bi‖W_dec[i]‖ (`l1`, scaled units).
 */
function sparsityLoss(c: TrainConfig, step: number, l0: number, l1: number): number {
  const warm = sparsityWarmupAt(c, step);
  if (c.architecture === 'standard') return c.l1Coefficient * warm * l1;
  const lambda = c.l0Coefficient * warm;
  return c.targetL0 === null ? lambda * l0 : lambda * (l0 / c.targetL0 - 1) ** 2;
}

/**
 * Trains a Top-K, BatchTopK, JumpReLU or standard (ReLU + L1) SAE (design §3) on any Backend. Every step is issued through
 * the contract and reads back one small metrics tensor; `train` keeps one step in flight so a
 * GPU backend overlaps that read with the next step's work.
 */
export class Trainer {
  readonly backend: Backend;
  readonly config: TrainConfig;
  readonly #graph: TrainGraph;
  #rng: Rng;
  #initialized = false;
  #inputScale = 1;
  /** A transcoder's target scale (its own sqrt(d) / mean‖y‖); the input scale for an SAE. */
  #targetScale = 1;
  #step = 0;
  #tokens = 0;
  /** (time, tokens) at recent step completions, for a smoothed tokens/s. */
  readonly #recent: [number, number][] = [];
  readonly #notes: string[];
  /**
   * Batches read for initialisation and not trained on yet. They stay here across `train`
   * calls (a chunk may end before all are used), so no batch of the stream is lost; they are
   * the stream's next batches, so a checkpoint's data position stays "after stepsDone batches".
   */
  readonly #held: Float32Array[] = [];
  #disposed = false;

  private constructor(backend: Backend, config: TrainConfig) {
    this.backend = backend;
    this.config = config;
    checkConfigLimits(config, backend.descriptor);
    this.#graph = new TrainGraph(backend, config);
    this.#rng = new Rng(config.seed, 'trainer');
    this.#notes = [...config.notes];
  }

  static async create(
    backend: Backend,
    config: TrainConfigInput | null | undefined,
    options: TrainerOptions = {},
  ): Promise<Trainer> {
    if (options.state) {
      const stateConfig = configFromState(options.state);
      if (config) {
        const given = resolveTrainConfig(config);
        for (const key of Object.keys(stateConfig) as (keyof TrainConfig)[]) {
          if (key === 'notes') continue;
          if (JSON.stringify(given[key]) !== JSON.stringify(stateConfig[key])) {
            throw new ConfigError(
              key,
              `${JSON.stringify(given[key])} differs from the training state's ${JSON.stringify(stateConfig[key])}`,
            );
          }
        }
      }
      const t = new Trainer(backend, stateConfig);
      t.#restore(options.state);
      return t;
    }
    if (!config) throw new ConfigError('config', 'a config is required when no state is given');
    const t = new Trainer(backend, resolveTrainConfig(config));
    if (options.initData) t.initialize(options.initData);
    return t;
  }

  /** Steps taken so far (the next step is number stepsDone + 1). */
  get stepsDone(): number {
    return this.#step;
  }
  get tokens(): number {
    return this.#tokens;
  }
  get initialized(): boolean {
    return this.#initialized;
  }
  /** The factor s the trainer multiplies inputs by (1 when normalizeActivations is off). */
  get inputScale(): number {
    return this.#inputScale;
  }
  /** The factor a transcoder's targets are multiplied by (inputScale for an SAE). */
  get targetScale(): number {
    return this.#targetScale;
  }
  /** Whether batches pair input rows with target rows (`pairedBatch`): a transcoder. */
  get paired(): boolean {
    return this.config.targetTensor !== null;
  }
  /** Notes on adapted defaults and initialisation, for logs and checkpoint metadata. */
  get notes(): readonly string[] {
    return this.#notes;
  }

  /**
   * Sets the input scale, b_dec and the tied weights from `data` (its first
   * config.initTokens rows). Called for you by the first `step` / `train` when not given.
   */
  initialize(data: Float32Array, rows?: number): void {
    this.#alive();
    if (this.#initialized) throw new SaekitError('trainer is already initialized');
    const c = this.config;
    const split = splitBatch(data, c.dIn, this.paired, 'initData', rows);
    checkSplitFinite(split, c.dIn, this.paired, 'initData');
    const n = Math.min(split.rows, c.initTokens);
    if (n < c.initTokens) {
      this.#notes.push(
        `initialized b_dec and the input scale from ${n} tokens (< ${c.initTokens})`,
      );
    }
    const sample = split.input.subarray(0, n * c.dIn);
    const target = split.target.subarray(0, n * c.dIn);
    const s = c.normalizeActivations ? inputScaleOf(sample, n, c.dIn) : 1;
    const sOut = !this.paired ? s : c.normalizeActivations ? inputScaleOf(target, n, c.dIn) : 1;
    // b_dec is the reconstruction's offset: the centre of what is reconstructed.
    const bDec =
      c.bDecInit === 'geometric_median'
        ? geometricMedian(target, n, c.dIn, {
            scale: sOut,
            maxIterations: c.geometricMedianIterations,
          })
        : c.bDecInit === 'mean'
          ? meanOf(target, n, c.dIn, sOut)
          : new Float64Array(c.dIn);
    const w = tiedUnitRows(this.#rng, c.dSae, c.dIn);
    // standard has no unit-norm constraint: its rows start short (Anthropic: W_enc = W_decᵀ).
    if (c.architecture === 'standard') for (let i = 0; i < w.length; i++) w[i] *= c.decoderInitNorm;
    const b = this.backend;
    const p = this.#graph.params;
    b.write(p.wEnc, w);
    if (this.paired) {
      // Input and target spaces differ: no tied decoder. The encoder sees x uncentred (b_dec is
      // in target space), so b_enc = −W_enc·mean(x) centres the pre-activations instead, as
      // sparsify does for its transcoders.
      b.write(p.wDec, tiedUnitRows(this.#rng, c.dSae, c.dIn));
      b.write(p.bEnc, centringBias(w, meanOf(sample, n, c.dIn, s), c.dSae, c.dIn));
    } else {
      b.write(p.wDec, w);
      b.write(p.bEnc, new Float32Array(c.dSae));
    }
    b.write(p.bDec, Float32Array.from(bDec));
    if (c.architecture === 'jumprelu') b.fill(this.#graph.theta, c.jumpreluInitThreshold);
    this.#inputScale = s;
    this.#targetScale = sOut;
    this.#initialized = true;
  }

  /** One training step on `batch` (rows × dIn, raw activations). */
  async step(batch: Float32Array, rows?: number): Promise<StepMetrics> {
    if (!this.#initialized) this.initialize(batch, rows);
    this.#recent.length = 0;
    return this.#finish(this.#enqueue(batch, rows));
  }

  /**
   * Trains on every batch of `source` (until config.steps, `maxSteps`, the end of the source
   * or `signal`). Without initData, the first batches (≥ config.initTokens tokens) initialise
   * the model and are then trained on, also when this call stops before reaching them all (the
   * trainer holds them for the next call). Stop conditions are checked before a batch is
   * taken, and the source is left open, so a later call on the same iterator continues with
   * the next batch (train in chunks between checkpoints).
   */
  async train(
    source: AsyncIterable<Float32Array>,
    options: TrainOptions = {},
  ): Promise<TrainSummary> {
    this.#alive();
    const it = source[Symbol.asyncIterator]();
    if (!this.#initialized) await this.#initializeFrom(it);
    const startStep = this.#step;
    let pending: Pending | null = null;
    let last: StepMetrics | null = null;
    let stopped: TrainSummary['stopped'] = 'source-exhausted';
    this.#recent.length = 0;
    this.#recent.push([performance.now(), this.#tokens]);
    for (;;) {
      if (options.signal?.aborted) {
        stopped = 'aborted';
        break;
      }
      if (this.config.steps !== null && this.#step >= this.config.steps) {
        stopped = 'completed';
        break;
      }
      if (options.maxSteps !== undefined && this.#step - startStep >= options.maxSteps) {
        stopped = 'max-steps';
        break;
      }
      let batch: Float32Array;
      const held = this.#held.shift();
      if (held) batch = held;
      else {
        const r = await it.next();
        if (r.done) break;
        batch = r.value;
      }
      const next = this.#enqueue(batch);
      if (pending) {
        last = await this.#finish(pending);
        await options.onStep?.(last);
      }
      pending = next;
    }
    if (pending) {
      last = await this.#finish(pending);
      await options.onStep?.(last);
    }
    return { steps: this.#step, tokens: this.#tokens, last, stopped };
  }

  /**
   * Reads the first batches (≥ config.initTokens rows) and initialises from them; they are
   * copied and held to be trained on next, since a source may reuse its batch buffers.
   */
  async #initializeFrom(it: AsyncIterator<Float32Array>): Promise<void> {
    const c = this.config;
    let rows = 0;
    while (rows < c.initTokens) {
      const r = await it.next();
      if (r.done) break;
      rows += splitBatch(r.value, c.dIn, this.paired, `batch ${this.#held.length + 1}`).rows;
      this.#held.push(r.value.slice());
    }
    if (this.#held.length === 0) throw new DataError('the source yielded no batch', 'train source');
    const parts = this.#held.map((q) => splitBatch(q, c.dIn, this.paired, 'held batch'));
    const join = (pick: (p: (typeof parts)[number]) => Float32Array) => {
      const all = new Float32Array(rows * c.dIn);
      let o = 0;
      for (const p of parts) {
        all.set(pick(p), o);
        o += p.rows * c.dIn;
      }
      return all;
    };
    const input = join((p) => p.input);
    this.initialize(
      this.paired
        ? pairedBatch(
            input,
            join((p) => p.target),
            rows,
          )
        : input,
    );
    // initialize() checked every value of these copies: the steps need not check them again.
    for (const q of this.#held) markFinite(q);
  }

  #enqueue(batch: Float32Array, rowsHint?: number): Pending {
    this.#alive();
    const c = this.config;
    const start = performance.now();
    const step = this.#step + 1;
    const split = splitBatch(batch, c.dIn, this.paired, `batch ${step}`, rowsHint);
    const rows = split.rows;
    // A source that checked its rows already (and named the file and row) is not checked twice.
    if (!isMarkedFinite(batch)) checkSplitFinite(split, c.dIn, this.paired, `batch ${step}`);
    const b = this.backend;
    const g = this.#graph;
    const w = g.work(rows);
    const metrics = g.metrics[step % 2];
    b.write(w.x, split.input);
    if (this.#inputScale !== 1) b.axpby(w.x, this.#inputScale, w.x, 0, w.x);
    if (this.paired) {
      b.write(w.target, split.target);
      if (this.#targetScale !== 1) b.axpby(w.target, this.#targetScale, w.target, 0, w.target);
    }
    const lr = learningRateAt(c, step);
    g.forwardBackward(rows, metrics, step);
    g.update(rows, metrics, step, lr);
    b.flush();
    this.#step = step;
    this.#tokens += rows;
    return {
      step,
      tokens: this.#tokens,
      rows,
      lr,
      start,
      read: b.read(metrics) as Promise<Float32Array>,
    };
  }

  async #finish(p: Pending): Promise<StepMetrics> {
    const v = await p.read;
    // With a step in flight, completions arrive unevenly: average over the last few.
    const now = performance.now();
    const [t0, tok0] = this.#recent[0] ?? [p.start, p.tokens - p.rows];
    this.#recent.push([now, p.tokens]);
    if (this.#recent.length > 8) this.#recent.shift();
    const elapsed = now - t0;
    const done = p.tokens - tok0;
    const c = this.config;
    const s2 = this.#targetScale * this.#targetScale;
    const dead = v[M.dead];
    const metrics: StepMetrics = {
      step: p.step,
      tokens: p.tokens,
      fvu: v[M.fvuDen] > 0 ? v[M.fvuNum] / v[M.fvuDen] : 0,
      mse: v[M.fvuNum] / (p.rows * c.dIn) / s2,
      l0: v[M.active] / p.rows,
      deadFraction: dead / c.dSae,
      auxk: dead > 0 && v[M.auxDen] > 0 ? v[M.auxNum] / v[M.auxDen] : 0,
      lr: p.lr,
      gradNorm: Math.sqrt(v[M.gradNormSq]),
      ...(isBatchTopK(c.architecture) ? { threshold: v[M.threshold] } : {}),
      ...(c.architecture === 'matryoshka' && v[M.fvuDen] > 0
        ? { prefixFvuSum: v[M.prefixNum] / v[M.fvuDen] }
        : {}),
      ...(isDenseArchitecture(c.architecture)
        ? { sparsityLoss: sparsityLoss(c, p.step, v[M.active] / p.rows, v[M.l1] / p.rows) }
        : {}),
      tokensPerSecond: elapsed > 0 ? (done * 1000) / elapsed : 0,
    };
    return metrics;
  }

  /** Everything needed to continue exactly here; `extra` (e.g. a dataset position) → meta.extra. */
  async saveState(extra?: JsonObject): Promise<TrainingState> {
    this.#alive();
    return captureState(this.backend, this.#graph, this.config, this.#progress(), extra);
  }

  #progress(): TrainerProgress {
    return {
      step: this.#step,
      tokens: this.#tokens,
      initialized: this.#initialized,
      inputScale: this.#inputScale,
      targetScale: this.#targetScale,
      rng: this.#rng.state(),
      notes: [...this.#notes],
    };
  }

  #restore(state: TrainingState): void {
    const p = restoreState(this.backend, this.#graph, state);
    this.#step = p.step;
    this.#tokens = p.tokens;
    this.#inputScale = p.inputScale;
    this.#targetScale = p.targetScale;
    this.#initialized = p.initialized;
    this.#rng = new Rng(p.rng);
    this.#notes.length = 0;
    this.#notes.push(...p.notes);
  }

  /**
   * The trained SAE on raw activations: with training input s·x, b_dec and b_enc (and
   * BatchTopK's threshold) are divided by s, W_dec keeps unit rows, so latents come out in
   * raw units and x̂ = x̂_train / s. `foldedInputScale` records s. A transcoder trained on
   * (s·x, t·y) is folded so that its output is ŷ_train / t: latents divided by t, so W_enc
   * is multiplied by s / t and b_enc, b_dec and the threshold divided by t.
   */
  async exportWeights(): Promise<SaeWeights> {
    this.#alive();
    if (!this.#initialized)
      throw new SaekitError('exportWeights: the trainer is not initialized yet');
    const g = this.#graph;
    const b = this.backend;
    const c = this.config;
    const read = async (t: Tensor, factor: number) => {
      const a = Float32Array.from((await b.read(t)) as Float32Array);
      if (factor !== 1) for (let i = 0; i < a.length; i++) a[i] *= factor;
      return a;
    };
    const inv = 1 / this.#targetScale;
    const weights: SaeWeights = {
      // A Matryoshka SAE runs as the BatchTopK it is; its prefix sizes travel alongside.
      architecture: c.architecture === 'matryoshka' ? 'batchtopk' : c.architecture,
      ...(c.architecture === 'matryoshka' ? { matryoshkaWidths: [...c.matryoshkaWidths] } : {}),
      dIn: c.dIn,
      dSae: c.dSae,
      ...(c.k === null ? {} : { k: c.k }),
      wEnc: await read(g.params.wEnc, this.#inputScale * inv),
      wDec: await read(g.params.wDec, 1),
      bEnc: await read(g.params.bEnc, inv),
      bDec: await read(g.params.bDec, inv),
      applyBDecToInput: !this.paired,
      foldedInputScale: this.#inputScale,
      ...(this.paired ? { transcoder: true, foldedTargetScale: this.#targetScale } : {}),
    };
    if (isBatchTopK(c.architecture)) {
      const theta = (await read(g.theta, inv))[0];
      return { ...weights, threshold: new Float32Array(c.dSae).fill(theta) };
    }
    if (c.architecture === 'jumprelu') return { ...weights, threshold: await read(g.theta, inv) };
    return weights;
  }

  /** Tokens on which each latent fired since training began (float32 counts). */
  async firingCounts(): Promise<Float32Array> {
    this.#alive();
    return Float32Array.from((await this.backend.read(this.#graph.firing)) as Float32Array);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#graph.dispose();
    this.#disposed = true;
  }

  #alive(): void {
    if (this.#disposed) throw new SaekitError('trainer has been disposed');
  }
}

/** b_enc = −W_enc·μ [m]: the bias that centres the pre-activations of inputs with mean μ. */
function centringBias(w: Float32Array, mean: Float64Array, m: number, d: number): Float32Array {
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += w[i * d + c] * mean[c];
    out[i] = -s;
  }
  return out;
}
