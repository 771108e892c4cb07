import {
  type ConfigError,
  type ConfigField,
  checkField,
  RUN_OPTION_FIELDS,
  TRAIN_CONFIG_FIELDS,
} from '@saekit/core';
import { InvalidArgumentError, Option } from 'commander';
import { UsageError } from './errors.js';
import { count } from './flags.js';

/**
 * Command-line flags made from core's config schema (TRAIN_CONFIG_FIELDS, RUN_OPTION_FIELDS):
 * name, help, default and validation all come from there, so the CLI accepts exactly what the
 * library does and says so in the same words.
 */

/** `--flag-name` of a camelCase option name. */
export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--flag` for a schema field. */
export function flagName(field: ConfigField): string {
  return `--${field.cli?.flag ?? kebab(field.key)}`;
}

export function defaultText(field: ConfigField): string | undefined {
  const d = field.cli?.defaultText ?? field.cli?.default ?? field.default;
  return d === undefined ? undefined : String(d);
}

/** Parses a flag's text as the field's type and checks it with the schema's own check. */
function parser(field: ConfigField): (value: string) => string | number | number[] {
  const t = field.type;
  return (value) => {
    let n: string | number | number[];
    if (t.kind === 'string') n = value;
    else if (t.kind === 'int-list')
      n = value.split(',').map((v) => (v.trim() === '' ? Number.NaN : Number(v)));
    else if (t.kind === 'int' && t.count) n = count(value);
    else if (t.kind === 'int') {
      if (!/^\s*-?\d+\s*$/.test(value)) throw new InvalidArgumentError('Expected an integer.');
      n = Number(value);
    } else n = value.trim() === '' ? Number.NaN : Number(value);
    try {
      return checkField(field, n);
    } catch (error) {
      throw new InvalidArgumentError(`${capitalize((error as ConfigError).detail)}.`);
    }
  };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The commander option of a schema field. No commander default is set: a value the user did
 * not give stays undefined, so the library fills its default and a resumed run is only
 * checked against what was given.
 */
export function fieldOption(field: ConfigField): Option {
  const t = field.type;
  const d = defaultText(field);
  if (t.kind === 'boolean') {
    // Every boolean the library has defaults to true: the flag turns it off.
    return new Option(`--no-${field.cli?.flag ?? kebab(field.key)}`, `do not ${field.help}`);
  }
  const help = d === undefined ? field.help : `${field.help} (default: ${d})`;
  const arg =
    t.kind === 'choice'
      ? '<name>'
      : t.kind === 'int'
        ? '<n>'
        : t.kind === 'int-list'
          ? '<n,n,...>'
          : t.kind === 'string'
            ? '<name>'
            : '<x>';
  const option = new Option(`${flagName(field)} ${arg}`, help);
  return t.kind === 'choice' ? option.choices(t.choices) : option.argParser(parser(field));
}

/** Options for every training config field and run option. */
export function trainConfigOptions(): Option[] {
  return [...TRAIN_CONFIG_FIELDS, ...RUN_OPTION_FIELDS].map(fieldOption);
}

const FIELDS: readonly ConfigField[] = [...TRAIN_CONFIG_FIELDS, ...RUN_OPTION_FIELDS];

/**
 * The values of schema fields among parsed options (keyed by commander attribute: `tokens`,
 * `gradClip`), under their schema keys (`totalTokens`, `clipGradNorm`), only those given.
 */
export function schemaValues(
  fields: readonly ConfigField[],
  options: { readonly [attribute: string]: unknown },
  given: (attribute: string) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const attribute = new Option(flagName(f)).attributeName();
    if (given(attribute) && options[attribute] !== undefined) out[f.key] = options[attribute];
  }
  return out;
}

/**
 * A ConfigError raised by the library, said in the command line's terms: it names the flag
 * and every config key in its text becomes its flag ("--k 2000 exceeds --d-sae 1024; lower
 * --k or raise --d-sae"). `flags` maps the other keys the command knows (its own options).
 */
export function flagError(error: ConfigError, flags: ReadonlyMap<string, string>): UsageError {
  const flagOf = new Map<string, string>(flags);
  for (const f of FIELDS) flagOf.set(f.key, flagName(f));
  // In the reason, a key is renamed where it is plainly a key: "k = 9", or a camelCase name
  // (plain words such as "steps" are also English); a hint is written in keys only.
  const rename = (text: string, everyKey: boolean) =>
    text.replace(
      /(?<![\w'-])([A-Za-z][A-Za-z0-9]*)(?![\w'-])( = )?/g,
      (m, key: string, equals: string | undefined) => {
        const flag = flagOf.get(key);
        if (flag === undefined || !(everyKey || equals || /[A-Z]/.test(key))) return m;
        return equals ? `${flag} ` : flag;
      },
    );
  const flag = flagOf.get(error.key);
  const message = `${rename(error.detail, false)}${error.hint === undefined ? '' : `; ${rename(error.hint, true)}`}`;
  return new UsageError(flag ?? error.key, message);
}
