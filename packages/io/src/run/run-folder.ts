import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject, MetricsRecord, RunSnapshot, RunStore, TrainingState } from '@saekit/core';
import { saveSae } from '../checkpoint/sae-checkpoint.js';
import { loadTrainingState, saveTrainingState } from '../checkpoint/training-state.js';
import { appendMetrics, openMetricsLog } from './metrics-log.js';

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
}

/**
 * A TrainingRun's store on disk: training_state.safetensors (written atomically), the SAE in
 * SAELens's layout with sparsity.safetensors, and metrics.jsonl. Every checkpoint's SAE is
 * usable as it is, by saekit and by SAELens.
 */
export class RunFolder implements RunStore {
  readonly paths: ReturnType<typeof runFolderPaths>;
  readonly #options: RunFolderOptions;

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

  async writeState(state: TrainingState): Promise<void> {
    await saveTrainingState(this.paths.state, state);
  }

  async writeSae(snapshot: RunSnapshot): Promise<void> {
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
    if (keepThrough === null) await rm(this.paths.report, { force: true });
    await openMetricsLog(this.paths.metrics, keepThrough);
  }

  async appendMetrics(record: MetricsRecord): Promise<void> {
    await appendMetrics(this.paths.metrics, record);
  }
}
