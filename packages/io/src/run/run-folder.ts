import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject, MetricsRecord, RunSnapshot, RunStore, TrainingState } from '@saekit/core';
import { saveSae } from '../checkpoint/sae-checkpoint.js';
import { loadTrainingState, saveTrainingState } from '../checkpoint/training-state.js';
import { removeStaleTempFiles } from '../util/atomic.js';
import { makeDirectory } from '../util/fs-errors.js';
import { appendMetrics, openMetricsLog } from './metrics-log.js';
import { RunLock } from './run-lock.js';

/** The files of a training run folder: a SAELens SAE plus saekit's own files. */
export function runFolderPaths(dir: string) {
  return {
    dir,
    cfg: join(dir, 'cfg.json'),
    weights: join(dir, 'sae_weights.safetensors'),
    sparsity: join(dir, 'sparsity.safetensors'),
    metrics: join(dir, 'metrics.jsonl'),
    state: join(dir, 'training_state.safetensors'),
    report: join(dir, 'report.html'),
  };
}

export interface RunFolderOptions {
  /** SAELens cfg `metadata` (model_name, hook_name, ...) for a checkpoint's SAE. */
  readonly saeMetadata?: (snapshot: RunSnapshot) => JsonObject;
  /** What the folder did on its own that the user should hear about (a stale lock taken over). */
  readonly onNote?: (message: string) => void;
}

/**
 * A TrainingRun's store on disk: training_state.safetensors (written atomically), the SAE in
 * SAELens's layout with sparsity.safetensors, and metrics.jsonl. Every checkpoint's SAE is
 * usable as it is, by saekit and by SAELens. The first write creates the folder and takes
 * its lock (a second writer gets a RunLockedError; a dead writer's lock is taken over), and
 * deletes what atomic writes of killed runs left behind; `release` (called when a
 * TrainingRun's `run()` returns) frees it.
 */
export class RunFolder implements RunStore {
  readonly paths: ReturnType<typeof runFolderPaths>;
  readonly #options: RunFolderOptions;
  #lock: Promise<RunLock> | null = null;

  constructor(
    readonly dir: string,
    options: RunFolderOptions = {},
  ) {
    this.paths = runFolderPaths(dir);
    this.#options = options;
  }

  /** Whether the folder holds a checkpoint (cheap; `readState` reads it). */
  get hasState(): boolean {
    return existsSync(this.paths.state);
  }

  async readState(): Promise<TrainingState | null> {
    return this.hasState ? loadTrainingState(this.paths.state) : null;
  }

  /** Takes the folder's lock now (the first write does it anyway). */
  async lock(): Promise<void> {
    this.#lock ??= this.#acquire();
    try {
      await this.#lock;
    } catch (err) {
      this.#lock = null;
      throw err;
    }
  }

  async #acquire(): Promise<RunLock> {
    makeDirectory(this.dir);
    const lock = await RunLock.acquire(this.dir);
    const note = this.#options.onNote ?? (() => {});
    if (lock.stale !== null) {
      note(
        `took over the lock of pid ${lock.stale.pid} (since ${lock.stale.since}), which is no longer running`,
      );
    }
    for (const name of await removeStaleTempFiles(this.dir))
      note(`removed ${name}, left by a killed run`);
    return lock;
  }

  async release(): Promise<void> {
    const lock = this.#lock;
    this.#lock = null;
    if (lock !== null) await (await lock).release();
  }

  async writeState(state: TrainingState): Promise<void> {
    await this.lock();
    await saveTrainingState(this.paths.state, state);
  }

  async writeSae(snapshot: RunSnapshot): Promise<void> {
    await this.lock();
    const { weights, firingCounts, tokens } = snapshot;
    // SAELens's sparsity.safetensors: log10 of each latent's firing frequency.
    const sparsity = new Float32Array(firingCounts.length);
    for (let i = 0; i < sparsity.length; i++) {
      sparsity[i] = Math.log10(firingCounts[i] / Math.max(1, tokens) + 1e-10);
    }
    await saveSae(this.dir, weights, {
      format: 'saelens',
      sparsity,
      metadata: this.#options.saeMetadata?.(snapshot) ?? {},
      saekit: {
        trained_steps: snapshot.steps,
        trained_tokens: tokens,
        final: snapshot.final,
        train_config: snapshot.config as unknown as JsonObject,
        notes: [...snapshot.notes],
      },
    });
  }

  /**
   * A fresh run (keepThrough null) also removes the report of an earlier run in this folder:
   * it describes weights that are about to be replaced. A resumed run keeps it.
   */
  async openMetrics(keepThrough: number | null): Promise<void> {
    await this.lock();
    if (keepThrough === null) await rm(this.paths.report, { force: true });
    await openMetricsLog(this.paths.metrics, keepThrough);
  }

  async appendMetrics(record: MetricsRecord): Promise<void> {
    await this.lock();
    await appendMetrics(this.paths.metrics, record);
  }
}
