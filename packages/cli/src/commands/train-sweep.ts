import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Backend,
  ConfigError,
  DEFAULT_BATCH_SIZE,
  featureRecovery,
  type MetricsRecord,
  RUN_OPTION_FIELDS,
  RunExistsError,
  type RunSource,
  readSavedRun,
  type SavedRun,
  type StepMetrics,
  SweepMemberError,
  TRAIN_CONFIG_FIELDS,
  type TrainConfig,
  type TrainConfigInput,
  type TrainingRun,
  TrainingSweep,
} from '@saekit/core';
import { RunFolder, RunLock, readMetrics, writeFileAtomic } from '@saekit/io';
import { chooseBackend, describeChoice } from '../backends.js';
import { schemaValues } from '../config-flags.js';
import { sourceEpochs } from '../epochs.js';
import { InputError, InterruptedError, UsageError } from '../errors.js';
import { Interrupt } from '../interrupt.js';
import { createSweepDisplay, formatDuration, type SweepDisplay } from '../progress.js';
import type { Series } from '../report/svg-charts.js';
import { renderSweepPage } from '../report/sweep-page.js';
import { readSweepFile, type SweepMemberSpec } from '../sweep-file.js';
import {
  checkSameSweep,
  memberConfigs,
  memberValues,
  readSweepRecord,
  SWEEP_PAGE,
  sweepRecordPath,
  writeSweepRecord,
} from '../sweep-plan.js';
import { formatSweepTable, type SweepRow } from '../sweep-summary.js';
import { givenMeta, newMeta, openSource, saeMetadata, type TrainMeta } from '../train-data.js';
import type { TrainOptions } from './train.js';

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * `saekit train --sweep FILE --out OUT`: every member of FILE trained from one activation
 * stream (core's TrainingSweep: each batch read and decoded once), each in OUT/<name> as a
 * run of its own (SAE, metrics.jsonl, checkpoints). OUT/saekit-sweep.json records the
 * members, so `--resume` continues the whole set and refuses a changed sweep file. Ends with
 * a summary table on stdout and OUT/sweep.html.
 */
export async function trainSweep(
  o: TrainOptions,
  given: (attribute: string) => boolean,
): Promise<void> {
  const recorded = await readSweepRecord(o.out);
  if (o.resume && recorded === null) {
    throw new InputError(sweepRecordPath(o.out), 'no sweep to resume (run with --sweep first)');
  }
  if (!o.resume && recorded !== null && !o.force) {
    throw new UsageError(
      '--out',
      `${o.out} already holds a sweep; pass --resume to continue it or --force to start over`,
    );
  }
  if (!o.resume && !o.data && !o.synthetic) {
    throw new UsageError(
      '--data',
      'give activation shards with --data <dir|glob|file>, or --synthetic',
    );
  }
  const file = o.sweep ?? sweepRecordPath(o.out);
  const members = o.sweep ? await readSweepFile(o.sweep) : (recorded as SweepMemberSpec[]);
  if (o.resume && o.sweep) checkSameSweep(o.sweep, members, recorded ?? [], o.out);

  // One writer per sweep: the members' folders take their own locks as they write.
  await mkdir(o.out, { recursive: true });
  const lock = await RunLock.acquire(o.out);
  try {
    await sweepIn(o, given, file, members);
  } finally {
    await lock.release();
  }
}

async function sweepIn(
  o: TrainOptions,
  given: (attribute: string) => boolean,
  file: string,
  members: readonly SweepMemberSpec[],
): Promise<void> {
  const folders = members.map(
    (m) => new RunFolder(join(o.out, m.name), { saeMetadata, onNote: log }),
  );
  const saved = o.resume ? await savedRuns(folders) : null;
  const base = schemaValues(TRAIN_CONFIG_FIELDS, o, given);
  const runOptions = schemaValues(RUN_OPTION_FIELDS, o, given) as {
    checkpointEvery?: number;
    logEvery?: number;
  };
  const values = members.map((m) => memberValues(base, m));
  const meta: TrainMeta = saved?.[0].metadata ?? newMeta(o);
  // Member 0's stream settings; memberConfigs refuses any member that differs.
  const first = saved?.[0].config;
  const batchSize =
    first?.batchSize ?? (values[0].batchSize as number | undefined) ?? DEFAULT_BATCH_SIZE;
  const seed = first?.seed ?? (values[0].seed as number | undefined) ?? 0;
  const dIn = first?.dIn ?? (values[0].dIn as number | undefined);
  // Members share the stream, so a transcoder sweep's members share its target.
  const targetTensor =
    first?.targetTensor ?? (values[0].targetTensor as string | undefined) ?? null;
  const source = await openSource(meta, batchSize, seed, dIn, targetTensor);
  if (!saved && !meta.synthetic && base.dIn !== undefined && source.dIn !== base.dIn) {
    throw new InputError(
      meta.data ?? 'data',
      `activations have width ${source.dIn} but --d-in is ${String(base.dIn)}`,
    );
  }
  const configs = saved ? null : memberConfigs(file, members, values, source.dIn as number);
  if (configs) await writeSweepRecord(o.out, members);

  let backend: Backend | undefined;
  const interrupt = new Interrupt();
  let display: SweepDisplay | undefined;
  let sweep: TrainingSweep<TrainMeta> | undefined;
  try {
    const chosen = await chooseBackend(o.backend);
    log(describeChoice(chosen));
    backend = chosen.backend;
    const common = {
      source,
      ...runOptions,
      onStep: (i: number, m: StepMetrics) => display?.update(i, m),
    };
    sweep = await (saved
      ? TrainingSweep.resume(
          backend,
          saved.map((run, i) => ({
            run,
            store: folders[i],
            config: values[i] as Partial<TrainConfigInput>,
            metadata: givenMeta(o, given),
          })),
          { ...common, allowBackendChange: o.allowBackendChange === true },
        )
      : TrainingSweep.create(
          backend,
          (configs as TrainConfigInput[]).map((config, i) => ({
            config,
            store: folders[i],
            metadata: meta,
            overwrite: o.force === true,
          })),
          common,
        )
    ).catch((error: unknown) => {
      throw memberError(error, members, o);
    });
    const runs = sweep.runs;
    const c = runs[0].config;
    const steps = c.steps ?? Number.POSITIVE_INFINITY;
    const epochs = sourceEpochs(source, c.batchSize, steps);
    log(
      `${saved ? `resuming sweep at step ${runs[0].startStep}` : 'training sweep'}: ${runs.length} SAEs ` +
        `from one stream, d_in=${c.dIn} batch=${c.batchSize} steps=${steps}${epochs ? ` ${epochs.text}` : ''} → ${o.out}`,
    );
    if (epochs?.warning) log(`warning: ${epochs.warning}`);
    runs.forEach((r, i) => {
      const m = r.config;
      log(
        `  ${members[i].name}: ${m.architecture} d_sae=${m.dSae}${m.k === null ? '' : ` k=${m.k}`} lr=${m.lr.toExponential(2)}`,
      );
    });
    for (const line of memberNotes(
      runs.map((r) => [...r.warnings, ...r.trainer.notes]),
      members,
    )) {
      log(`note: ${line}`);
    }
    const shown = createSweepDisplay({
      names: members.map((m) => m.name),
      totalSteps: steps,
      startStep: runs[0].startStep,
      startTokens: runs[0].trainer.tokens,
      logEvery: runOptions.logEvery ?? 10,
      plain: o.progress === false,
    });
    display = shown;
    interrupt.onFirst = () =>
      shown.log(
        'Ctrl-C: finishing this step and saving every member (Ctrl-C again to quit at once)',
      );
    const started = Date.now();
    const result = await sweep.run({ signal: interrupt.signal });
    display.stop();
    if (result.stopped === 'aborted') {
      log(
        `interrupted at step ${result.members[0].steps}; every member saved in ${o.out}. ` +
          `Continue with: saekit train --out ${o.out} --resume`,
      );
      throw new InterruptedError('interrupted');
    }
    log(
      `${result.stopped === 'source-exhausted' ? 'data exhausted' : 'done'}: ${runs.length} SAEs, ` +
        `${result.members[0].steps} steps in ${formatDuration((Date.now() - started) / 1000)}`,
    );
    const logs = await Promise.all(folders.map((f) => readMetrics(f.paths.metrics)));
    const rows = summaryRows(
      members,
      logs,
      runs.map((r) => r.config),
      await recoveries(runs, source),
    );
    process.stdout.write(`${formatSweepTable(rows)}\n`);
    const page = join(o.out, SWEEP_PAGE);
    await writeFileAtomic(page, [
      new TextEncoder().encode(
        renderSweepPage({
          title: `saekit sweep: ${o.out}`,
          stream: `${meta.synthetic ? 'synthetic data' : (meta.data ?? 'data')}, d_in ${c.dIn}, batches of ${c.batchSize}, ${result.members[0].steps} steps, seed ${c.seed}`,
          rows,
          fvuCurves: curves(members, logs, 'fvu'),
          l0Curves: curves(members, logs, 'l0'),
        }),
      ),
    ]);
    log(`SAEs written to ${o.out}/<member>; summary page ${page}`);
  } finally {
    interrupt.dispose();
    sweep?.dispose();
    await backend?.destroy();
  }
}

/** Every member's checkpoint; a member without one cannot be resumed. */
async function savedRuns(folders: readonly RunFolder[]): Promise<SavedRun<TrainMeta>[]> {
  const saved: SavedRun<TrainMeta>[] = [];
  for (const folder of folders) {
    const run = await readSavedRun<TrainMeta>(folder);
    if (run === null) {
      throw new InputError(
        folder.paths.state,
        'no training state to resume this member from (the sweep never checkpointed it)',
      );
    }
    saved.push(run);
  }
  return saved;
}

/** A member's refusal from the library, said with the member's name (and the flag, above). */
function memberError(
  error: unknown,
  members: readonly SweepMemberSpec[],
  o: TrainOptions,
): unknown {
  if (error instanceof SweepMemberError) {
    const name = members[error.member].name;
    return new ConfigError(
      error.key,
      `member ${error.member} (${name}): ${error.error.detail}`,
      error.error.hint,
    );
  }
  if (error instanceof RunExistsError) {
    return new UsageError(
      '--out',
      `a member's folder in ${o.out} already holds a run; pass --resume to continue the sweep or --force to start over`,
    );
  }
  return error;
}

/** Each note once; one that only some members have says which. */
function memberNotes(
  notes: readonly (readonly string[])[],
  members: readonly SweepMemberSpec[],
): string[] {
  const byNote = new Map<string, string[]>();
  notes.forEach((list, i) => {
    for (const n of list) byNote.set(n, [...(byNote.get(n) ?? []), members[i].name]);
  });
  return [...byNote].map(([note, names]) =>
    names.length === members.length ? note : `${names.join(', ')}: ${note}`,
  );
}

/** Each member's line of the summary: its config, and its last logged step's numbers. */
function summaryRows(
  members: readonly SweepMemberSpec[],
  logs: readonly (readonly MetricsRecord[])[],
  configs: readonly TrainConfig[],
  recovered: readonly (number | undefined)[],
): SweepRow[] {
  return members.map((m, i) => {
    const last = logs[i][logs[i].length - 1];
    const c = configs[i];
    return {
      name: m.name,
      architecture: c.architecture,
      dSae: c.dSae,
      k: c.k,
      lr: c.lr,
      steps: last?.step ?? 0,
      tokens: last?.tokens ?? 0,
      fvu: last?.fvu ?? Number.NaN,
      l0: last?.l0 ?? Number.NaN,
      deadFraction: last?.dead_frac ?? Number.NaN,
      ...(recovered[i] === undefined ? {} : { recovered: recovered[i] }),
    };
  });
}

/** On synthetic data, each member's fraction of true features recovered (as a single run prints). */
async function recoveries(
  runs: readonly TrainingRun<TrainMeta>[],
  source: RunSource,
): Promise<(number | undefined)[]> {
  if (!('dictionary' in source)) return runs.map(() => undefined);
  const dictionary = source.dictionary as Float32Array;
  return Promise.all(
    runs.map(
      async (r) =>
        featureRecovery((await r.trainer.exportWeights()).wDec, dictionary, r.config.dIn)
          .recoveredFraction,
    ),
  );
}

function curves(
  members: readonly SweepMemberSpec[],
  logs: readonly (readonly MetricsRecord[])[],
  key: 'fvu' | 'l0',
): Series[] {
  return logs.map((records, i) => ({
    name: members[i].name,
    points: records.map((r) => [r.step, r[key]] as const),
  }));
}
