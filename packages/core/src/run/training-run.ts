import type { Backend } from '../backend/backend.js';
import { ConfigError, SaekitError, StateError } from '../errors.js';
import {
  extendSchedule,
  resolveTrainConfig,
  type TrainConfig,
  type TrainConfigInput,
} from '../train/config.js';
import type { StepMetrics } from '../train/metrics.js';
import type { Json, JsonObject, TrainingState } from '../train/state.js';
import { Trainer } from '../train/trainer.js';
import {
  type BackendIdentity,
  backendIdentity,
  describeBackend,
  type RunRecord,
  type SavedRun,
} from './saved-run.js';
import type { RunSource } from './source.js';
import { MemoryRunStore, metricsRecord, type RunStore } from './store.js';

/**
 * The backend a run trains on, or a function that makes it: a run calls the function only
 * once the config, the source's width and (on resume) the saved run have been checked, so a
 * bad setting fails before a device is touched.
 */
export type RunBackend = Backend | (() => Backend | Promise<Backend>);

const backendOf = (b: RunBackend): Backend | Promise<Backend> =>
  typeof b === 'function' ? b() : b;

/** A new run was asked for where the store already holds one. */
export class RunExistsError extends SaekitError {}

/** A resumed run was given a config value or metadata that differs from the saved run's. */
export class ResumeMismatchError extends ConfigError {
  constructor(
    key: string,
    readonly given: Json,
    readonly saved: Json,
  ) {
    super(
      key,
      `${JSON.stringify(given)} differs from the saved run's ${JSON.stringify(saved)} (a resumed run keeps its settings; start a new run to change it)`,
    );
  }
}

export interface RunOptions {
  /** Where batches come from; a resumed run reopens it at the saved position. */
  readonly source: RunSource;
  /** Where checkpoints, the SAE and metrics go. Default: a MemoryRunStore. */
  readonly store?: RunStore;
  /** Steps between checkpoints (at multiples of it); 0 = only at the end or on interruption. Default 500. */
  readonly checkpointEvery?: number;
  /** Steps between metrics records (at multiples of it); the last step is always recorded. Default 10. */
  readonly logEvery?: number;
  /** Each step's metrics as soon as they are read back. */
  readonly onStep?: (metrics: StepMetrics) => void | Promise<void>;
  /** After each checkpoint is written. */
  readonly onCheckpoint?: (checkpoint: { step: number; final: boolean }) => void | Promise<void>;
}

export interface NewRunOptions<M extends JsonObject> extends RunOptions {
  readonly config: TrainConfigInput;
  /** The caller's metadata, saved with every checkpoint and handed back on resume. */
  readonly metadata?: M;
  /** Start over even if the store holds a checkpoint (default: RunExistsError). */
  readonly overwrite?: boolean;
}

/** A run would resume on another backend or kernel set than it was trained on. */
export class BackendChangeError extends ResumeMismatchError {}

export interface ResumeOptions<M extends JsonObject> extends RunOptions {
  /**
   * Resume on another backend (or kernel set) than the one that trained the run. Its
   * kernels round differently, so the result will not be bit-identical to an uninterrupted
   * run: refused (BackendChangeError) unless allowed; when allowed, `warnings` says so.
   */
  readonly allowBackendChange?: boolean;
  /**
   * Config values the caller sets. Each must equal the saved run's, except the length
   * (`steps` / `totalTokens`), which extends or shortens it (see `extendSchedule`).
   */
  readonly config?: Partial<TrainConfigInput>;
  /** Metadata values the caller sets; each must equal the saved one. */
  readonly metadata?: Partial<M>;
}

export interface RunResult {
  /** Why it ended: the configured length, the data, or the signal. */
  readonly stopped: 'completed' | 'source-exhausted' | 'aborted';
  readonly steps: number;
  readonly tokens: number;
  /** The last step's metrics (null when this call took no step). */
  readonly last: StepMetrics | null;
}

const DEFAULT_CHECKPOINT_EVERY = 500;
const DEFAULT_LOG_EVERY = 10;
/** How long the loop may run on microtasks alone before it lets timers and signals in. */
const YIELD_MS = 50;

/**
 * A training run end to end (design §8): initialisation from the stream (no batch lost), the
 * step loop, checkpoints at a cadence, the data position, interruption by an AbortSignal,
 * resume (refused on a config or metadata mismatch), and metrics to a callback and the store.
 */
export class TrainingRun<M extends JsonObject = JsonObject> {
  readonly trainer: Trainer;
  /** The caller's metadata (a resumed run's is the saved one). */
  readonly metadata: M;
  /** The step this object started from: 0, or the resumed checkpoint's. */
  readonly startStep: number;
  /** What the caller should be told (a resume on another backend). */
  readonly warnings: readonly string[];
  readonly #backend: BackendIdentity;
  readonly #source: RunSource;
  readonly #store: RunStore;
  readonly #options: RunOptions;
  readonly #position: Json | null;
  #batches: AsyncIterable<Float32Array> | null = null;
  #metricsOpen = false;
  #running = false;

  private constructor(
    trainer: Trainer,
    backend: Backend,
    metadata: M,
    position: Json | null,
    options: RunOptions,
    warnings: readonly string[] = [],
  ) {
    this.trainer = trainer;
    this.#backend = backendIdentity(backend);
    this.warnings = warnings;
    this.metadata = metadata;
    this.startStep = trainer.stepsDone;
    this.#position = position;
    this.#source = options.source;
    this.#store = options.store ?? new MemoryRunStore();
    this.#options = options;
    const every = (key: 'checkpointEvery' | 'logEvery', zeroOk: boolean) => {
      const v = options[key];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < (zeroOk ? 0 : 1))) {
        throw new ConfigError(key, `must be an integer ≥ ${zeroOk ? 0 : 1}, got ${String(v)}`);
      }
    };
    every('checkpointEvery', true);
    every('logEvery', false);
  }

  /** A new run. The config is validated and checked against the source and store first. */
  static async create<M extends JsonObject = JsonObject>(
    backend: RunBackend,
    options: NewRunOptions<M>,
  ): Promise<TrainingRun<M>> {
    const config = resolveTrainConfig(options.config);
    checkWidth(config, options.source);
    if (!options.overwrite && options.store && (await options.store.readState()) !== null) {
      throw new RunExistsError(
        'the store already holds a run: resume it, or start over with overwrite',
      );
    }
    const b = await backendOf(backend);
    const trainer = await Trainer.create(b, options.config);
    return new TrainingRun(trainer, b, (options.metadata ?? {}) as M, null, options);
  }

  /**
   * Continues a saved run (`readSavedRun`) exactly where it stopped: same weights, optimizer
   * and schedule, same data position. Given config and metadata values are checked against
   * the saved ones (a ResumeMismatchError names the first that differs).
   */
  static async resume<M extends JsonObject = JsonObject>(
    backend: RunBackend,
    saved: SavedRun<M>,
    options: ResumeOptions<M>,
  ): Promise<TrainingRun<M>> {
    const config = resumedConfig(saved, options.config ?? {});
    checkMetadata(saved.metadata, options.metadata ?? {});
    checkWidth(config, options.source);
    checkPosition(saved, options.source);
    const b = await backendOf(backend);
    const warnings: string[] = [];
    const now = backendIdentity(b);
    if (saved.backend !== null && JSON.stringify(saved.backend) !== JSON.stringify(now)) {
      const change = `the run was trained on ${describeBackend(saved.backend)}, this is ${describeBackend(now)}`;
      if (!options.allowBackendChange) {
        throw new BackendChangeError(
          'backend',
          describeBackend(now),
          describeBackend(saved.backend),
        );
      }
      warnings.push(
        `${change}: its kernels round differently, so the result will differ from an uninterrupted run`,
      );
    }
    const trainer = await Trainer.create(b, null, { state: withConfig(saved.state, config) });
    return new TrainingRun(trainer, b, saved.metadata, saved.position, options, warnings);
  }

  get config(): TrainConfig {
    return this.trainer.config;
  }

  /**
   * Trains until the config's length, the end of the data, or `signal`; checkpoints at the
   * cadence and once more at the end (also when aborted), so the run can be resumed from
   * where this call stopped. Call again after an abort to continue in the same process.
   */
  async run(options: { readonly signal?: AbortSignal } = {}): Promise<RunResult> {
    this.#running = true;
    try {
      return await this.#run(options);
    } finally {
      this.#running = false;
      // The store's claim on its place (a folder's lock) lasts while the run writes.
      await this.#store.release?.();
    }
  }

  async #run(options: { readonly signal?: AbortSignal }): Promise<RunResult> {
    const t = this.trainer;
    const c = this.config;
    const store = this.#store;
    if (!this.#metricsOpen) {
      await store.openMetrics(this.startStep === 0 ? null : this.startStep);
      this.#metricsOpen = true;
    }
    this.#batches ??= yielding(await this.#source.open(this.#position));
    const checkpointEvery = this.#options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    const logEvery = this.#options.logEvery ?? DEFAULT_LOG_EVERY;
    const started = performance.now();
    let mark = { tokens: t.tokens, time: started };
    let last: StepMetrics | null = null;
    let recorded = 0;
    const record = async (m: StepMetrics) => {
      const now = performance.now();
      const rate =
        now > mark.time ? ((m.tokens - mark.tokens) * 1000) / (now - mark.time) : m.tokensPerSecond;
      mark = { tokens: m.tokens, time: now };
      recorded = m.step;
      await store.appendMetrics(metricsRecord(m, rate, (now - started) / 1000));
    };
    const onStep = async (m: StepMetrics) => {
      last = m;
      await this.#options.onStep?.(m);
      if (m.step % logEvery === 0 || m.step === c.steps) await record(m);
    };

    let stopped: RunResult['stopped'] = 'completed';
    for (;;) {
      const left = c.steps === null ? Number.POSITIVE_INFINITY : c.steps - t.stepsDone;
      const chunk = checkpointEvery > 0 ? checkpointEvery - (t.stepsDone % checkpointEvery) : left;
      const summary = await t.train(this.#batches, {
        onStep,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(Number.isFinite(Math.min(chunk, left)) ? { maxSteps: Math.min(chunk, left) } : {}),
      });
      if (summary.stopped !== 'max-steps') {
        stopped = summary.stopped;
        break;
      }
      if (c.steps !== null && t.stepsDone >= c.steps) break;
      await this.checkpoint(false);
    }
    const final = last as StepMetrics | null;
    if (final && recorded !== final.step) await record(final);
    await this.checkpoint(stopped !== 'aborted');
    return { stopped, steps: t.stepsDone, tokens: t.tokens, last: final };
  }

  /** Writes the training state (with the data position) and the SAE to the store. */
  async checkpoint(final: boolean): Promise<void> {
    const t = this.trainer;
    const record: RunRecord<M> = {
      format: 'saekit-run',
      version: 1,
      data: this.#source.positionAt(t.stepsDone),
      metadata: this.metadata,
      backend: this.#backend,
    };
    await this.#store.writeState(await t.saveState(record));
    await this.#store.writeSae({
      weights: await t.exportWeights(),
      firingCounts: await t.firingCounts(),
      steps: t.stepsDone,
      tokens: t.tokens,
      final,
      config: t.config,
      notes: [...t.notes],
      metadata: this.metadata,
    });
    await this.#options.onCheckpoint?.({ step: t.stepsDone, final });
    // Called on its own (a sweep's last checkpoint after an abort): nothing holds the store.
    if (!this.#running) await this.#store.release?.();
  }

  /** Frees the trainer's device memory (the backend stays the caller's). */
  dispose(): void {
    this.trainer.dispose();
  }
}

/**
 * A run takes one batch per step, so a saved position must be the one its source gives for
 * the saved step: a state whose step or position was altered, or that lies beyond finite
 * data, is refused before it is trusted.
 */
function checkPosition(saved: SavedRun<JsonObject>, source: RunSource): void {
  let expected: Json;
  try {
    expected = source.positionAt(saved.step);
  } catch (err) {
    throw new StateError('step', `${saved.step} lies beyond the data (${(err as Error).message})`);
  }
  const batchesOf = (p: Json): number | undefined =>
    typeof p === 'number'
      ? p
      : p !== null && typeof p === 'object' && !Array.isArray(p) && typeof p['batches'] === 'number'
        ? p['batches']
        : undefined;
  const have = batchesOf(saved.position);
  const want = batchesOf(expected);
  if (have !== undefined && want !== undefined && have !== want) {
    throw new StateError(
      'position',
      `the data position is batch ${have} but the state is at step ${saved.step} (one batch per step)`,
    );
  }
}

function checkWidth(config: TrainConfig, source: RunSource): void {
  if (source.dIn !== undefined && source.dIn !== config.dIn) {
    throw new ConfigError(
      'dIn',
      `the data's rows have width ${source.dIn}, the config says dIn = ${config.dIn}`,
    );
  }
}

/** The saved config, with the given values checked against it and the length applied. */
function resumedConfig(saved: SavedRun<JsonObject>, given: Partial<TrainConfigInput>): TrainConfig {
  const config = saved.config;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === 'steps' || key === 'totalTokens') continue;
    const have = (config as unknown as JsonObject)[key] ?? null;
    if (JSON.stringify(value) !== JSON.stringify(have)) {
      throw new ResumeMismatchError(key, value as Json, have);
    }
  }
  const steps =
    given.steps ??
    (given.totalTokens === undefined ? undefined : Math.ceil(given.totalTokens / config.batchSize));
  return steps === undefined ? config : extendSchedule(config, steps, saved.step);
}

function checkMetadata(saved: JsonObject, given: Partial<JsonObject>): void {
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const have = saved[key] ?? null;
    if (JSON.stringify(value) !== JSON.stringify(have))
      throw new ResumeMismatchError(key, value, have);
  }
}

function withConfig(state: TrainingState, config: TrainConfig): TrainingState {
  return { ...state, meta: { ...state.meta, config: config as unknown as JsonObject } };
}

const macrotask: () => Promise<void> = (() => {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
    .setImmediate;
  return immediate
    ? () => new Promise<void>((resolve) => void immediate(resolve))
    : () => new Promise<void>((resolve) => void setTimeout(resolve, 0));
})();

/**
 * One iterator over `source` for the whole run (each chunk continues it), that every YIELD_MS
 * waits for a macrotask: a backend whose reads resolve at once (cpu) and an in-memory source
 * make a loop of microtasks that would never let a signal handler or a UI event run.
 */
function yielding(source: AsyncIterable<Float32Array>): AsyncIterable<Float32Array> {
  const it = source[Symbol.asyncIterator]();
  let lastYield = performance.now();
  const iterator: AsyncIterator<Float32Array> = {
    next: async () => {
      if (performance.now() - lastYield > YIELD_MS) {
        await macrotask();
        lastYield = performance.now();
      }
      return it.next();
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
