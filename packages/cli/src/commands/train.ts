import { existsSync } from 'node:fs';
import {
  type Backend,
  ConfigError,
  DEFAULT_BATCH_SIZE,
  featureRecovery,
  RUN_OPTION_FIELDS,
  RunExistsError,
  readSavedRun,
  type SavedRun,
  type StepMetrics,
  TRAIN_CONFIG_FIELDS,
  type TrainConfigInput,
  TrainingRun,
} from '@saekit/core';
import { RunFolder } from '@saekit/io';
import { type BackendChoice, chooseBackend, describeChoice } from '../backends.js';
import { flagError, kebab, schemaValues } from '../config-flags.js';
import { sourceEpochs } from '../epochs.js';
import { InputError, InterruptedError, UsageError } from '../errors.js';
import { Interrupt } from '../interrupt.js';
import { createProgressDisplay, formatDuration, type ProgressDisplay } from '../progress.js';
import { sweepRecordPath } from '../sweep-plan.js';
import {
  type DataOptions,
  givenMeta,
  META_KEYS,
  newConfig,
  newMeta,
  openSource,
  saeMetadata,
  type TrainMeta,
} from '../train-data.js';
import { trainSweep } from './train-sweep.js';

/** `saekit train`'s options: the CLI's own, plus every config field by its flag's name. */
export interface TrainOptions extends DataOptions {
  readonly out: string;
  readonly backend: BackendChoice;
  readonly resume?: boolean;
  readonly force?: boolean;
  readonly allowBackendChange?: boolean;
  readonly progress?: boolean;
  /** A JSON list of member configs: train them all from one stream (see train-sweep.ts). */
  readonly sweep?: string;
  readonly [configAttribute: string]: unknown;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * `saekit train`: a thin shell over the library's TrainingRun on a RunFolder. `given` says
 * which options the user typed (the rest are commander defaults): a resumed run checks those
 * against the saved run. Config errors come back naming the flag.
 */
export async function runTrain(
  o: TrainOptions,
  given: (attribute: string) => boolean = (a) => o[a] !== undefined,
): Promise<void> {
  try {
    await train(o, given);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const cliFlags = [...META_KEYS, 'backend'].map((k): [string, string] => [k, `--${kebab(k)}`]);
    throw flagError(error, new Map(cliFlags));
  }
}

async function train(o: TrainOptions, given: (attribute: string) => boolean): Promise<void> {
  if (o.sweep !== undefined || existsSync(sweepRecordPath(o.out))) {
    return trainSweep(o, given);
  }
  const folder = new RunFolder(o.out, { saeMetadata, onNote: log });
  const saved = o.resume ? await readSavedRun<TrainMeta>(folder) : null;
  if (o.resume && !saved) {
    throw new InputError(
      folder.paths.state,
      'no training state to resume (run without --resume first)',
    );
  }
  if (!saved && !o.data && !o.synthetic) {
    throw new UsageError(
      '--data',
      'give activation shards with --data <dir|glob|file>, or --synthetic',
    );
  }
  // The folder is created and locked before anything else: a second writer, or an --out that
  // cannot be written, fails at once with one line.
  await folder.lock();
  try {
    await trainIn(folder, saved, o, given);
  } finally {
    await folder.release();
  }
}

async function trainIn(
  folder: RunFolder,
  saved: SavedRun<TrainMeta> | null,
  o: TrainOptions,
  given: (attribute: string) => boolean,
): Promise<void> {
  const values = schemaValues(TRAIN_CONFIG_FIELDS, o, given);
  const runOptions = schemaValues(RUN_OPTION_FIELDS, o, given) as {
    checkpointEvery?: number;
    logEvery?: number;
  };
  const meta: TrainMeta = saved?.metadata ?? newMeta(o);
  const batchSize =
    saved?.config.batchSize ?? (values.batchSize as number | undefined) ?? DEFAULT_BATCH_SIZE;
  const seed = saved?.config.seed ?? (values.seed as number | undefined) ?? 0;
  const dIn = saved?.config.dIn ?? (values.dIn as number | undefined);
  const targetTensor =
    saved?.config.targetTensor ?? (values.targetTensor as string | undefined) ?? null;
  const source = await openSource(meta, batchSize, seed, dIn, targetTensor);
  if (!saved && !meta.synthetic && dIn !== undefined && source.dIn !== dIn) {
    throw new InputError(
      meta.data ?? 'data',
      `activations have width ${source.dIn} but --d-in is ${dIn}`,
    );
  }
  const config = saved ? null : newConfig(values, source.dIn as number);

  // The run checks the config, the data and the saved run before it asks for the backend.
  let backend: Backend | undefined;
  const makeBackend = async () => {
    const chosen = await chooseBackend(o.backend);
    log(describeChoice(chosen));
    backend = chosen.backend;
    return backend;
  };
  const interrupt = new Interrupt();
  let display: ProgressDisplay | undefined;
  let run: TrainingRun<TrainMeta> | undefined;
  try {
    const common = {
      source,
      store: folder,
      ...runOptions,
      onStep: (m: StepMetrics) => display?.update(m),
    };
    run = saved
      ? await TrainingRun.resume(makeBackend, saved, {
          ...common,
          config: values as Partial<TrainConfigInput>,
          metadata: givenMeta(o, given),
          allowBackendChange: o.allowBackendChange === true,
        })
      : await TrainingRun.create(makeBackend, {
          ...common,
          config: config as TrainConfigInput,
          metadata: meta,
          overwrite: o.force === true,
        }).catch((error: unknown) => {
          throw error instanceof RunExistsError
            ? new UsageError(
                '--out',
                `${o.out} already holds a run; pass --resume to continue it or --force to start over`,
              )
            : error;
        });
    const c = run.config;
    const steps = c.steps ?? Number.POSITIVE_INFINITY;
    // Shards have a size: say how many passes over them the run makes, and warn past one.
    const epochs = sourceEpochs(source, c.batchSize, steps);
    log(
      `${saved ? `resuming at step ${run.startStep}` : 'training'}: ${c.architecture}${c.targetTensor === null ? '' : ` transcoder → ${c.targetTensor}`} d_in=${c.dIn} ` +
        `d_sae=${c.dSae}${c.k === null ? '' : ` k=${c.k}`} batch=${c.batchSize} steps=${steps}` +
        `${epochs ? ` ${epochs.text}` : ''} lr=${c.lr.toExponential(2)} → ${o.out}`,
    );
    if (epochs?.warning) log(`warning: ${epochs.warning}`);
    for (const note of [...run.warnings, ...run.trainer.notes]) log(`note: ${note}`);
    const shown = createProgressDisplay({
      totalSteps: steps,
      startStep: run.startStep,
      startTokens: run.trainer.tokens,
      logEvery: runOptions.logEvery ?? 10,
      plain: o.progress === false,
    });
    display = shown;
    interrupt.onFirst = () =>
      shown.log(
        'Ctrl-C: finishing this step and saving a checkpoint (Ctrl-C again to quit at once)',
      );
    const started = Date.now();
    const result = await run.run({ signal: interrupt.signal });
    display.stop();
    if (result.stopped === 'aborted') {
      log(
        `interrupted at step ${result.steps}; checkpoint saved in ${o.out}. ` +
          `Continue with: saekit train --out ${o.out} --resume`,
      );
      throw new InterruptedError('interrupted');
    }
    const m = result.last;
    log(
      `${result.stopped === 'source-exhausted' ? 'data exhausted' : 'done'}: ${result.steps} steps in ` +
        `${formatDuration((Date.now() - started) / 1000)}` +
        (m
          ? `; final fvu ${m.fvu.toFixed(4)}, l0 ${m.l0.toFixed(1)}, dead ${(m.deadFraction * 100).toFixed(1)}%`
          : '') +
        `. SAE written to ${o.out}`,
    );
    if ('dictionary' in source) {
      const w = await run.trainer.exportWeights();
      const r = featureRecovery(w.wDec, source.dictionary as Float32Array, c.dIn);
      log(
        `feature recovery: MMCS ${r.mmcs.toFixed(3)}; ${r.recovered} of ${r.maxCosine.length} ` +
          `true features (${(r.recoveredFraction * 100).toFixed(1)}%) found at cosine ≥ 0.9`,
      );
    }
  } finally {
    interrupt.dispose();
    run?.dispose();
    await backend?.destroy();
  }
}
