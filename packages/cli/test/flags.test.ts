import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { count, nonNegativeInt, positiveInt, seed } from '../src/flags.js';

describe('flag parsers', () => {
  it('accept what they promise', () => {
    expect(positiveInt('12')).toBe(12);
    expect(nonNegativeInt('0')).toBe(0);
    expect(count('10k')).toBe(10_000);
    expect(count('2M')).toBe(2_000_000);
    expect(count('1.5e3')).toBe(1500);
    expect(seed('4294967295')).toBe(4294967295);
  });

  it('reject everything else with commander’s InvalidArgumentError', () => {
    for (const [parse, bad] of [
      [positiveInt, '0'],
      [positiveInt, '1.5'],
      [positiveInt, 'abc'],
      [positiveInt, '-3'],
      [nonNegativeInt, '-1'],
      [count, '1.2345'],
      [count, '10q'],
      [seed, '4294967296'],
    ] as const) {
      expect(() => (parse as (v: string) => number)(bad), `${parse.name}(${bad})`).toThrow(
        InvalidArgumentError,
      );
    }
  });
});
