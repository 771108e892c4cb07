import type { SaeWeights } from '../sae/weights.js';
import type { TrainConfig } from '../train/config.js';
import type { StepMetrics } from '../train/metrics.js';
import type { JsonObject, TrainingState } from '../train/state.js';

/** One line of metrics.jsonl. The snake_case keys are the contract scripts read. */
export interface MetricsRecord {
  step: number;
  tokens: number;
  fvu: number;
  mse: number;
  l0: number;
  dead_frac: number;
  auxk: number;
  lr: number;
  /** Absent in logs written by earlier versions. */
  grad_norm?: number;
  /** BatchTopK and Matryoshka only. */
  threshold?: number;
  /** JumpReLU and standard: the sparsity penalty (coefficient and warmup included). */
  sparsity_loss?: number;
  /** Matryoshka: Σ over the nested prefixes of their FVU (the main loss term). */
  prefix_fvu_sum?: number;
  /** Training tokens per second since the previous record. */
  tokens_per_s: number;
  /** Seconds since this process started (or resumed) the run. */
  elapsed_s: number;
  [key: string]: number | undefined;
}

/** A step's metrics as a metrics.jsonl record. */
export function metricsRecord(
  m: StepMetrics,
  tokensPerSecond: number,
  elapsedSeconds: number,
): MetricsRecord {
  return {
    step: m.step,
    tokens: m.tokens,
    fvu: m.fvu,
    mse: m.mse,
    l0: m.l0,
    dead_frac: m.deadFraction,
    auxk: m.auxk,
    lr: m.lr,
    grad_norm: m.gradNorm,
    ...(m.threshold === undefined ? {} : { threshold: m.threshold }),
    ...(m.sparsityLoss === undefined ? {} : { sparsity_loss: m.sparsityLoss }),
    ...(m.prefixFvuSum === undefined ? {} : { prefix_fvu_sum: m.prefixFvuSum }),
    tokens_per_s: tokensPerSecond,
    elapsed_s: elapsedSeconds,
  };
}

/** The SAE a checkpoint writes next to the training state. */
export interface RunSnapshot<M extends JsonObject = JsonObject> {
  /** On raw activations (the input scale folded in). */
  readonly weights: SaeWeights;
  /** Tokens on which each latent fired, out of `tokens`. */
  readonly firingCounts: Float32Array;
  readonly steps: number;
  readonly tokens: number;
  /** The run completed or its data ran out (not an interval or interruption checkpoint). */
  readonly final: boolean;
  readonly config: TrainConfig;
  readonly notes: readonly string[];
  /** The caller's metadata for the run (model, hook point, data, ...). */
  readonly metadata: M;
}

/**
 * Where a run keeps what outlives it. Core only calls these methods; @saekit/io implements them
 * on a folder (training_state.safetensors, a SAELens SAE, metrics.jsonl), and a browser page
 * can implement them on IndexedDB or a downloaded file.
 */
export interface RunStore {
  /** The run's checkpoint, or null when there is none. */
  readState(): Promise<TrainingState | null>;
  /** Replaces the checkpoint, atomically: a crash mid-write leaves the previous one whole. */
  writeState(state: TrainingState): Promise<void>;
  /** Writes the SAE as of a checkpoint (weights, firing frequencies, config). */
  writeSae(snapshot: RunSnapshot): Promise<void>;
  /**
   * Starts the metrics log of this process: empty for a new run; for a resumed one, the
   * records up to `keepThrough` (the checkpoint's step), so steps logged after that
   * checkpoint and trained again are not listed twice.
   */
  openMetrics(keepThrough: number | null): Promise<void>;
  appendMetrics(record: MetricsRecord): Promise<void>;
  /**
   * Ends this process's claim on the store, if it makes one (a folder takes a lock on its
   * first write so two runs never write into one place); called when `run()` returns.
   */
  release?(): Promise<void>;
}

/** A RunStore in memory: for tests, and for callers that persist its contents themselves. */
export class MemoryRunStore implements RunStore {
  state: TrainingState | null = null;
  sae: RunSnapshot | null = null;
  metrics: MetricsRecord[] = [];

  async readState(): Promise<TrainingState | null> {
    return this.state === null ? null : copyState(this.state);
  }
  async writeState(state: TrainingState): Promise<void> {
    this.state = copyState(state);
  }
  async writeSae(snapshot: RunSnapshot): Promise<void> {
    this.sae = snapshot;
  }
  async openMetrics(keepThrough: number | null): Promise<void> {
    this.metrics = keepThrough === null ? [] : this.metrics.filter((r) => r.step <= keepThrough);
  }
  async appendMetrics(record: MetricsRecord): Promise<void> {
    this.metrics.push({ ...record });
  }
}

/** A deep copy, as a trip through a file would give: nothing shared with the trainer. */
function copyState(state: TrainingState): TrainingState {
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [name, a] of Object.entries(state.arrays)) arrays[name] = a.slice();
  return { ...state, meta: JSON.parse(JSON.stringify(state.meta)) as JsonObject, arrays };
}
