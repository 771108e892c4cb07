import { InvalidArgumentError } from 'commander';

/**
 * Value parsers for commander options. Each throws commander's InvalidArgumentError, which
 * commander turns into a one-line "option '--x <n>' argument 'y' is invalid. <why>" message.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('Expected a positive integer.');
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('Expected a non-negative integer.');
  }
  return n;
}

/** A positive integer that also accepts engineering suffixes: 10k, 5M, 1.5B, 2e6. */
export function count(value: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMbBgG]?)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError('Expected a positive count such as 4096, 10k or 2M.');
  const scale = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9 }[m[2].toLowerCase()] ?? 1;
  const n = Number(m[1]) * scale;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('Expected a positive whole count such as 4096, 10k or 2M.');
  }
  return n;
}

/** A seed: any integer in [0, 2^32). */
export function seed(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('Expected an integer in [0, 4294967295].');
  }
  return n;
}

export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError('Expected a comma-separated list.');
  return items;
}
