import type { Command } from 'commander';
import { UsageError } from './errors.js';

/**
 * Finds the mistake `--data acts/*.npy` makes: the shell expands the glob, so the option
 * gets the first file and the others arrive as stray arguments, which commander reports as
 * "too many arguments". Returns a UsageError saying to quote the pattern, or undefined when
 * the command line does not look like that. saekit's commands take no positional
 * arguments, so any stray word after an option's value is this case.
 */
export function expandedGlobError(
  program: Command,
  argv: readonly string[],
): UsageError | undefined {
  const command = program.commands.find((c) => c.name() === argv[0]);
  if (!command) return undefined;
  const takesValue = new Set<string>();
  const variadic = new Set<string>();
  for (const o of command.options) {
    if (!o.long || !(o.required || o.optional)) continue;
    // A variadic option (bench --config a b) takes every following word itself.
    (o.variadic ? variadic : takesValue).add(o.long);
  }
  let i = 1;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg === '--') return undefined;
    const name = arg.split('=')[0];
    if (variadic.has(name)) {
      i++;
      while (i < argv.length && !argv[i].startsWith('-')) i++;
      continue;
    }
    if (takesValue.has(name) && !arg.includes('=') && i + 1 < argv.length) {
      const strays: string[] = [];
      let j = i + 2;
      while (j < argv.length && !argv[j].startsWith('-')) strays.push(argv[j++]);
      if (strays.length > 0) {
        const files = [argv[i + 1], ...strays];
        const shown =
          files.length > 3
            ? `${files.slice(0, 3).join(' ')} … (${files.length} in all)`
            : files.join(' ');
        return new UsageError(
          name,
          `got ${files.length} paths (${shown}): the shell expanded a glob. Quote the pattern so saekit expands it, e.g. ${name} '${globHint(files)}'`,
        );
      }
      i += 2;
      continue;
    }
    i++;
  }
  return undefined;
}

/** A pattern matching the expanded files: their common folder and extension. */
function globHint(files: readonly string[]): string {
  const dirs = files.map((f) => f.slice(0, f.lastIndexOf('/') + 1));
  const exts = files.map((f) => /\.[^./]+$/.exec(f)?.[0] ?? '');
  const dir = dirs.every((d) => d === dirs[0]) ? dirs[0] : '';
  const ext = exts.every((e) => e === exts[0]) ? exts[0] : '';
  return `${dir}*${ext}`;
}
