import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  isDenseArchitecture,
  resolveTrainConfig,
  TRAIN_CONFIG_FIELDS,
  type TrainableArchitecture,
  type TrainConfig,
  type TrainConfigInput,
} from '@saekit/core';
import { writeFileAtomic } from '@saekit/io';
import { flagName } from './config-flags.js';
import { InputError } from './errors.js';
import { SweepFileError, type SweepMemberSpec } from './sweep-file.js';
import { newConfig } from './train-data.js';

/** The file in --out that records a sweep's members, for --resume. */
export const SWEEP_RECORD = 'saekit-sweep.json';
/** The sweep's summary page in --out. */
export const SWEEP_PAGE = 'sweep.html';

export const sweepRecordPath = (out: string) => join(out, SWEEP_RECORD);

/**
 * What every member shares because every batch goes to all of them: the data's width, the
 * batch size, the seed (it also orders the data), a transcoder's target tensor (read with
 * each batch) and the length (members stop and checkpoint together, so the set resumes as one).
 */
const SHARED = [
  'dIn',
  'batchSize',
  'seed',
  'targetTensor',
  'steps',
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * A member's given values: the command line's, overridden by the member's own. A member that
 * makes itself jumprelu or standard takes no k from the command line (those learn their
 * sparsity), as a single run leaves --k's default out for them.
 */
export function memberValues(
  base: Readonly<Record<string, unknown>>,
  member: SweepMemberSpec,
): Record<string, unknown> {
  const values: Record<string, unknown> = { ...base, ...member.config };
  const architecture = member.config.architecture as TrainableArchitecture | undefined;
  if (
    architecture !== undefined &&
    isDenseArchitecture(architecture) &&
    member.config.k === undefined
  ) {
    delete values.k;
  }
  return values;
}

const FLAG = new Map(TRAIN_CONFIG_FIELDS.map((f) => [f.key as string, flagName(f)]));

/**
 * Each member's full config (`newConfig` of its values on data of width `dIn`), validated, and
 * checked to share one stream with member 0. A SweepFileError names the file, the member and
 * the key at fault.
 */
export function memberConfigs(
  file: string,
  members: readonly SweepMemberSpec[],
  values: readonly Record<string, unknown>[],
  dIn: number,
): TrainConfigInput[] {
  const fail = (i: number, key: string, detail: string): never => {
    throw new SweepFileError(file, i, key, detail, members[i].name);
  };
  const resolved: TrainConfig[] = [];
  const configs = members.map((member, i) => {
    const given = member.config.dIn;
    if (given !== undefined && given !== dIn) {
      fail(
        i,
        'dIn',
        `${given} differs from the data's width ${dIn}: members share one activation stream`,
      );
    }
    const config = newConfig(values[i], dIn);
    try {
      resolved.push(resolveTrainConfig(config));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      fail(i, error.key, `${error.detail}${error.hint === undefined ? '' : `; ${error.hint}`}`);
    }
    return config;
  });
  for (let i = 1; i < resolved.length; i++) {
    for (const key of SHARED) {
      const [mine, first] = [resolved[i][key], resolved[0][key]];
      if (mine !== first) {
        fail(
          i,
          key,
          `${mine} differs from member 0's ${first}: members share one activation stream (every batch goes to all of them), so ${key} is the same for all; set it once with ${FLAG.get(key) ?? key}`,
        );
      }
    }
  }
  return configs;
}

/** The sweep's stream settings before the data is open: member 0's (all must agree). */
export function streamSettings(values: Readonly<Record<string, unknown>>): {
  batchSize: number | undefined;
  seed: number;
  dIn: number | undefined;
} {
  return {
    batchSize: values.batchSize as number | undefined,
    seed: (values.seed as number | undefined) ?? 0,
    dIn: values.dIn as number | undefined,
  };
}

interface SweepRecord {
  readonly format: 'saekit-sweep';
  readonly version: 1;
  readonly members: readonly SweepMemberSpec[];
}

/** Records the sweep's members in --out (atomically), for --resume to find and check. */
export async function writeSweepRecord(
  out: string,
  members: readonly SweepMemberSpec[],
): Promise<void> {
  const record: SweepRecord = { format: 'saekit-sweep', version: 1, members };
  const text = `${JSON.stringify(record, null, 2)}\n`;
  await writeFileAtomic(sweepRecordPath(out), [new TextEncoder().encode(text)]);
}

/** The members recorded in --out, or null when it holds no sweep. */
export async function readSweepRecord(out: string): Promise<SweepMemberSpec[] | null> {
  const path = sweepRecordPath(out);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw new InputError(path, 'not valid JSON: not a saekit sweep record');
  }
  const r = record as Partial<SweepRecord> | null;
  if (r?.format !== 'saekit-sweep' || r.version !== 1 || !Array.isArray(r.members)) {
    throw new InputError(path, 'not a saekit sweep record (format saekit-sweep, version 1)');
  }
  return r.members as SweepMemberSpec[];
}

/**
 * A resumed sweep keeps its members: `given` (the --sweep file of the resuming command) must
 * list the recorded members, in order, with the same values. The SweepFileError names the
 * first difference.
 */
export function checkSameSweep(
  file: string,
  given: readonly SweepMemberSpec[],
  recorded: readonly SweepMemberSpec[],
  out: string,
): void {
  const why = `the sweep in ${out} has`;
  const fix = 'a resumed sweep keeps its members (start a new one in another --out)';
  if (given.length !== recorded.length) {
    throw new SweepFileError(
      file,
      null,
      null,
      `${given.length} members; ${why} ${recorded.length}; ${fix}`,
    );
  }
  given.forEach((g, i) => {
    const r = recorded[i];
    // Values first: a default name follows from them, so a changed value changes it too.
    const keys = new Set([...Object.keys(g.config), ...Object.keys(r.config)]);
    for (const key of keys) {
      const [a, b] = [
        g.config[key as keyof TrainConfigInput],
        r.config[key as keyof TrainConfigInput],
      ];
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        const show = (v: unknown) => (v === undefined ? 'not set' : JSON.stringify(v));
        throw new SweepFileError(file, i, key, `${show(a)}; ${why} ${show(b)}; ${fix}`, r.name);
      }
    }
    if (g.name !== r.name) {
      throw new SweepFileError(
        file,
        i,
        'name',
        `'${g.name}'; ${why} '${r.name}' here; ${fix}`,
        r.name,
      );
    }
  });
}
