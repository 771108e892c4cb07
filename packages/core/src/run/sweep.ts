import type { Backend } from '../backend/backend.js';
import { ConfigError, SaekitError } from '../errors.js';
import type { TrainConfigInput } from '../train/config.js';
import type { StepMetrics } from '../train/metrics.js';
import type { Json, JsonObject } from '../train/state.js';
import { Broadcast } from './broadcast.js';
import type { SavedRun } from './saved-run.js';
import type { RunSource } from './source.js';
import type { RunStore } from './store.js';
import { type RunOptions, type RunResult, TrainingRun } from './training-run.js';

/**
 * A member's config, or the check of its saved run against what the caller gave, was refused:
 * `member` is its index, `key`, `detail` and `hint` are those of the member's own error.
 */
export class SweepMemberError extends ConfigError {
  constructor(
    readonly member: number,
    readonly error: ConfigError,
  ) {
    super(error.key, `member ${member}: ${error.detail}`, error.hint);
  }
}

/** A member of a sweep being resumed: its saved run, and what the caller gives it. */
export interface SavedSweepMember<M extends JsonObject = JsonObject> {
  readonly run: SavedRun<M>;
  readonly store?: RunStore;
  /** Config values the caller sets, checked against the saved run's (see `ResumeOptions.config`). */
  readonly config?: Partial<TrainConfigInput>;
  /** Metadata values the caller sets; each must equal the saved one. */
  readonly metadata?: Partial<M>;
}

export interface SweepResumeOptions extends SweepOptions {
  /** See `ResumeOptions.allowBackendChange`; applies to every member. */
  readonly allowBackendChange?: boolean;
}

/** One SAE of a sweep: its config, where its run goes, and its metadata. */
export interface SweepMember<M extends JsonObject = JsonObject> {
  readonly config: TrainConfigInput;
  readonly store?: RunStore;
  readonly metadata?: M;
  /** Start over even if the store holds a checkpoint (default: RunExistsError). */
  readonly overwrite?: boolean;
}

export interface SweepOptions {
  /** The one stream every member trains on (each batch is read once). */
  readonly source: RunSource;
  readonly checkpointEvery?: number;
  readonly logEvery?: number;
  /** Each member's step metrics, with the member's index. */
  readonly onStep?: (member: number, metrics: StepMetrics) => void | Promise<void>;
  /** How many batches a member may run ahead of the slowest (memory: that many batches). Default 8. */
  readonly window?: number;
}

export interface SweepResult {
  /** 'aborted' when the signal stopped it (every member at the same step). */
  readonly stopped: RunResult['stopped'];
  readonly members: readonly RunResult[];
}

/**
 * Several SAEs trained from one activation stream: each batch is read (and decoded) once and
 * every member trains on it. Each member is a TrainingRun with its own store (SAE, metrics,
 * checkpoints), so a member's weights are exactly those of the same config trained alone on
 * the same data. Members checkpoint at the same steps and stop, on a signal, at the same data
 * position, so `resume` continues the whole set.
 */
export class TrainingSweep<M extends JsonObject = JsonObject> {
  readonly runs: readonly TrainingRun<M>[];
  readonly #source: RunSource;
  readonly #position: Json | null;
  readonly #window: number;
  #hub: Broadcast | null = null;
  #started = false;

  private constructor(
    runs: TrainingRun<M>[],
    source: RunSource,
    position: Json | null,
    window: number,
  ) {
    this.runs = runs;
    this.#source = source;
    this.#position = position;
    this.#window = window;
  }

  static async create<M extends JsonObject = JsonObject>(
    backend: Backend,
    members: readonly SweepMember<M>[],
    options: SweepOptions,
  ): Promise<TrainingSweep<M>> {
    checkMembers(
      members.map((m) => m.config.batchSize ?? null),
      members.map((m) => m.config.targetTensor ?? null),
    );
    const hubRef: { hub: () => Broadcast } = { hub: () => missingHub() };
    const runs: TrainingRun<M>[] = [];
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      runs.push(
        await asMember(
          i,
          TrainingRun.create<M>(backend, {
            ...runOptions(options, i, hubRef),
            config: m.config,
            ...(m.store ? { store: m.store } : {}),
            ...(m.metadata ? { metadata: m.metadata } : {}),
            ...(m.overwrite ? { overwrite: true } : {}),
          }),
        ),
      );
    }
    return TrainingSweep.#wire(runs, options, null, hubRef);
  }

  /**
   * Continues a sweep from its members' saved runs (in member order). They must have stopped
   * at the same step and data position, as a sweep's members do. A member's given config and
   * metadata are checked as `TrainingRun.resume` checks them; a refusal is a
   * SweepMemberError naming the member.
   */
  static async resume<M extends JsonObject = JsonObject>(
    backend: Backend,
    saved: readonly SavedSweepMember<M>[],
    options: SweepResumeOptions,
  ): Promise<TrainingSweep<M>> {
    if (saved.length === 0) throw new ConfigError('members', 'a sweep needs at least one member');
    const position = saved[0].run.position;
    for (let i = 1; i < saved.length; i++) {
      const s = saved[i].run;
      if (s.step !== saved[0].run.step || JSON.stringify(s.position) !== JSON.stringify(position)) {
        throw new ConfigError(
          'members',
          `member ${i} stopped at step ${s.step} (data ${JSON.stringify(s.position)}), member 0 at step ${saved[0].run.step} (data ${JSON.stringify(position)}): not one sweep`,
        );
      }
    }
    checkMembers(
      saved.map((s) => s.run.config.batchSize),
      saved.map((s) => s.run.config.targetTensor),
    );
    const hubRef: { hub: () => Broadcast } = { hub: () => missingHub() };
    const runs: TrainingRun<M>[] = [];
    for (let i = 0; i < saved.length; i++) {
      const { store, config, metadata } = saved[i];
      runs.push(
        await asMember(
          i,
          TrainingRun.resume<M>(backend, saved[i].run, {
            ...runOptions(options, i, hubRef),
            ...(store ? { store } : {}),
            ...(config ? { config } : {}),
            ...(metadata ? { metadata } : {}),
            ...(options.allowBackendChange ? { allowBackendChange: true } : {}),
          }),
        ),
      );
    }
    return TrainingSweep.#wire(runs, options, position, hubRef);
  }

  static #wire<M extends JsonObject>(
    runs: TrainingRun<M>[],
    options: SweepOptions,
    position: Json | null,
    hubRef: { hub: () => Broadcast },
  ): TrainingSweep<M> {
    const sweep = new TrainingSweep<M>(runs, options.source, position, options.window ?? 8);
    hubRef.hub = () => sweep.#openHub();
    return sweep;
  }

  #openHub(): Broadcast {
    if (this.#hub === null) throw new SaekitError('TrainingSweep: the stream is not open yet');
    return this.#hub;
  }

  /**
   * Trains every member until its length, the end of the data, or `signal`; on the signal all
   * members stop after the same batch and checkpoint there (not as final). One call per sweep:
   * continue an aborted sweep with `resume`.
   */
  async run(options: { readonly signal?: AbortSignal } = {}): Promise<SweepResult> {
    if (this.#started) {
      throw new SaekitError('TrainingSweep.run: already run; resume the sweep from its stores');
    }
    this.#started = true;
    this.#hub = new Broadcast(
      await this.#source.open(this.#position),
      this.runs.length,
      this.#window,
    );
    const hub = this.#hub;
    const signal = options.signal;
    const onAbort = () => hub.stop();
    if (signal?.aborted) hub.stop();
    signal?.addEventListener('abort', onAbort);
    let members: RunResult[];
    try {
      members = await Promise.all(this.runs.map((r) => r.run()));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) {
      // The members saw their stream end; their last checkpoint is a resumable one, not final.
      for (const r of this.runs) await r.checkpoint(false);
      return { stopped: 'aborted', members: members.map((m) => ({ ...m, stopped: 'aborted' })) };
    }
    const stopped = members.every((m) => m.stopped === 'completed')
      ? 'completed'
      : 'source-exhausted';
    return { stopped, members };
  }

  dispose(): void {
    for (const r of this.runs) r.dispose();
  }
}

/** The member's run, or its ConfigError as a SweepMemberError naming the member. */
async function asMember<T>(member: number, run: Promise<T>): Promise<T> {
  try {
    return await run;
  } catch (error) {
    throw error instanceof ConfigError ? new SweepMemberError(member, error) : error;
  }
}

function missingHub(): never {
  throw new SaekitError('TrainingSweep: a member opened the stream outside TrainingSweep.run');
}

/** A member's run options: its source is its reader of the sweep's one stream. */
function runOptions(
  options: SweepOptions,
  i: number,
  hubRef: { hub: () => Broadcast },
): RunOptions {
  const source: RunSource = {
    ...(options.source.dIn === undefined ? {} : { dIn: options.source.dIn }),
    positionAt: (batches) => options.source.positionAt(batches),
    open: () => hubRef.hub().reader(i),
  };
  const onStep = options.onStep;
  return {
    source,
    ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
    ...(options.logEvery === undefined ? {} : { logEvery: options.logEvery }),
    ...(onStep ? { onStep: (m: StepMetrics) => onStep(i, m) } : {}),
  };
}

/** Members share every batch, so they must take batches of one size. */
function checkMembers(
  batchSizes: readonly (number | null)[],
  targets: readonly (string | null)[],
): void {
  if (batchSizes.length === 0)
    throw new ConfigError('members', 'a sweep needs at least one member');
  const sizes = new Set(batchSizes.map((b) => b ?? 'default'));
  if (sizes.size > 1) {
    throw new ConfigError(
      'batchSize',
      `sweep members share each batch, so they need one batchSize; got ${[...sizes].join(', ')}`,
    );
  }
  // A transcoder's batches are paired (input, then target): members take the same kind.
  const kinds = new Set(targets.map((t) => (t === null ? 'none (an SAE)' : `'${t}'`)));
  if (kinds.size > 1) {
    throw new ConfigError(
      'targetTensor',
      `sweep members share each batch, so they need one targetTensor; got ${[...kinds].join(', ')}`,
    );
  }
}
