import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { count, nonNegativeInt, positiveFloat, positiveInt, seed } from '../src/flags.js';
import { MetricsLog, readMetrics } from '../src/metrics-log.js';
import { tempDir } from './saekit.js';

describe('flag parsers', () => {
  it('accept what they promise', () => {
    expect(positiveInt('12')).toBe(12);
    expect(nonNegativeInt('0')).toBe(0);
    expect(count('10k')).toBe(10_000);
    expect(count('2M')).toBe(2_000_000);
    expect(count('1.5e3')).toBe(1500);
    expect(positiveFloat('3e-4')).toBe(3e-4);
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
      [positiveFloat, '0'],
      [positiveFloat, 'NaN'],
      [positiveFloat, ''],
      [seed, '4294967296'],
    ] as const) {
      expect(() => (parse as (v: string) => number)(bad), `${parse.name}(${bad})`).toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe('MetricsLog', () => {
  it('keeps records up to the resumed step and tolerates a torn last line', () => {
    const dir = tempDir('metrics');
    try {
      const path = join(dir.path, 'metrics.jsonl');
      const rec = (step: number) => ({
        step,
        tokens: step * 2,
        fvu: 1,
        mse: 1,
        l0: 1,
        dead_frac: 0,
        auxk: 0,
        lr: 0,
        tokens_per_s: 1,
        elapsed_s: 0,
      });
      const log = MetricsLog.open(path);
      for (const s of [10, 20, 30]) log.append(rec(s));
      appendFileSync(path, '{"step": 40, "tok');
      expect(readMetrics(path).map((r) => r.step)).toEqual([10, 20, 30]);
      const resumed = MetricsLog.open(path, 20);
      resumed.append(rec(30));
      expect(readMetrics(path).map((r) => r.step)).toEqual([10, 20, 30]);
    } finally {
      dir.remove();
    }
  });
});
