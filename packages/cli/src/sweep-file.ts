import { readFile } from 'node:fs/promises';
import {
  ConfigError,
  checkField,
  configField,
  RUN_OPTION_FIELDS,
  TRAIN_CONFIG_FIELDS,
  type TrainConfigInput,
} from '@saekit/core';
import { flagName, kebab } from './config-flags.js';
import { InputError } from './errors.js';
import { META_KEYS } from './train-data.js';

/**
 * `saekit train --sweep FILE`: a JSON array of members, each an object of training config
 * values (core's keys: `k`, `dSae`, `architecture`, `targetL0`, ...) that override the
 * command line's, plus an optional `name` (its output folder under --out).
 */
export interface SweepMemberSpec {
  readonly name: string;
  /** The member's own config values, as the file gives them. */
  readonly config: Readonly<Partial<Record<keyof TrainConfigInput, unknown>>>;
}

/** A sweep file is unusable; names the file and, where it applies, the member and key. */
export class SweepFileError extends InputError {
  constructor(
    readonly file: string,
    readonly member: number | null,
    readonly key: string | null,
    readonly detail: string,
    memberName?: string,
  ) {
    const where =
      member === null
        ? ''
        : `member ${member}${memberName === undefined ? '' : ` (${memberName})`}: `;
    super(file, `${where}${key === null ? '' : `${key}: `}${detail}`);
  }
}

/** A member's name is a folder under --out; no dots, so it never meets the sweep's own files. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const TRAIN_KEYS = new Set<string>(TRAIN_CONFIG_FIELDS.map((f) => f.key));

/** Keys a member may not set, with where they are set instead. */
function sweepWideFlag(key: string): string | undefined {
  if ((META_KEYS as readonly string[]).includes(key)) return `--${kebab(key)}`;
  const option = RUN_OPTION_FIELDS.find((f) => f.key === key);
  return option ? flagName(option) : undefined;
}

function unknownKey(key: string): string {
  const sweepWide = sweepWideFlag(key);
  if (sweepWide !== undefined) {
    return `is the whole sweep's (one stream, one schedule of checkpoints): give it as ${sweepWide}`;
  }
  // A flag's name where the config key belongs: say which key it is.
  const asFlag = TRAIN_CONFIG_FIELDS.find((f) => flagName(f) === `--${key.replace(/^--/, '')}`);
  if (asFlag)
    return `unknown key; members use config keys: '${asFlag.key}' (the key of ${key.replace(/^(?!--)/, '--')})`;
  return `unknown key; a member has 'name' and config keys (${[...TRAIN_KEYS].join(', ')})`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A default name from what the member sets: a choice by its value, a number after its key
 * (m2-batchtopk-d-sae48, m1-k8-lr0_004); m2 alone if that is too long.
 */
function defaultName(index: number, config: Record<string, unknown>): string {
  const parts = Object.entries(config).map(([k, v]) =>
    (typeof v === 'string'
      ? v
      : `${kebab(k)}${Array.isArray(v) ? v.join('-') : String(v)}`
    ).replace(/[^A-Za-z0-9_-]/g, '_'),
  );
  const name = [`m${index}`, ...parts].join('-');
  return NAME.test(name) ? name : `m${index}`;
}

/** The members of a sweep file's text; every problem is a SweepFileError naming `file`. */
export function parseSweep(text: string, file: string): SweepMemberSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SweepFileError(file, null, null, `not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json) || json.length === 0) {
    throw new SweepFileError(
      file,
      null,
      null,
      'must be a JSON array of members, e.g. [{"k": 16}, {"k": 32, "name": "k32"}]',
    );
  }
  const names = new Map<string, number>();
  return json.map((entry: unknown, i) => {
    if (!isObject(entry)) {
      throw new SweepFileError(file, i, null, 'must be an object of config values');
    }
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'name') continue;
      const field = TRAIN_KEYS.has(key) ? configField(key) : undefined;
      if (field === undefined) throw new SweepFileError(file, i, key, unknownKey(key));
      try {
        config[key] = checkField(field, value);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new SweepFileError(file, i, key, error.detail);
      }
    }
    const given = entry.name;
    if (given !== undefined && (typeof given !== 'string' || !NAME.test(given))) {
      throw new SweepFileError(
        file,
        i,
        'name',
        `${JSON.stringify(given)} is not a folder name: letters, digits, _ and -, at most 64, not starting with - or _`,
      );
    }
    const name = given ?? defaultName(i, config);
    const first = names.get(name);
    if (first !== undefined) {
      throw new SweepFileError(
        file,
        i,
        'name',
        `'${name}' is also member ${first}'s: each member needs its own folder`,
      );
    }
    names.set(name, i);
    return { name, config };
  });
}

/** Reads and checks a sweep file. */
export async function readSweepFile(file: string): Promise<SweepMemberSpec[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SweepFileError(
      file,
      null,
      null,
      code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`,
    );
  }
  return parseSweep(text, file);
}
