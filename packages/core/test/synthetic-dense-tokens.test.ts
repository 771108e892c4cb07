import { ConfigError, SyntheticActivations, type SyntheticOptions } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { activeCounts } from './synthetic-train.js';

describe('SyntheticActivations denseTokens', () => {
  const base: SyntheticOptions = {
    dIn: 16,
    nFeatures: 128,
    activePerToken: 3,
    frequencyExponent: 0.3,
    correlatedPairs: 0,
    seed: 4,
  };

  it('keeps the mean count and raises its variance to the two-density mixture', () => {
    const rows = 20_000;
    const plain = activeCounts(base, rows);
    const mixed = activeCounts(
      { ...base, denseTokens: { fraction: 0.4, activePerToken: 6 } },
      rows,
    );
    process.stdout.write(
      `counts ${JSON.stringify({ plain: [plain.mean, plain.variance], mixed: [mixed.mean, mixed.variance] })}\n`,
    );
    expect(plain.mean).toBeCloseTo(3, 1);
    expect(mixed.mean).toBeCloseTo(3, 1);
    // Independent firing: variance Σ p(1 − p) < 3. The mixture adds the between-class part
    // 0.4 · 0.6 · (6 − 1)² = 6 to a within-class part of about 3 − Σ p²-terms.
    expect(plain.variance).toBeLessThan(3);
    expect(mixed.variance).toBeGreaterThan(8);
    expect(mixed.variance).toBeLessThan(10);
    // Many tokens with at most one feature, and many with six or more.
    const share = (c: Float64Array, keep: (v: number) => boolean) =>
      c.filter(keep).length / c.length;
    expect(share(mixed.counts, (v) => v <= 1)).toBeGreaterThan(
      share(plain.counts, (v) => v <= 1) + 0.2,
    );
    expect(share(mixed.counts, (v) => v >= 6)).toBeGreaterThan(
      share(plain.counts, (v) => v >= 6) + 0.1,
    );
  });

  it('leaves the dictionary and per-feature probabilities as they were', () => {
    const plain = new SyntheticActivations(base);
    const mixed = new SyntheticActivations({
      ...base,
      denseTokens: { fraction: 0.4, activePerToken: 6 },
    });
    expect(mixed.dictionary).toEqual(plain.dictionary);
    expect(mixed.probabilities).toEqual(plain.probabilities);
  });

  it.each([
    [{ fraction: 0, activePerToken: 6 }, /fraction/],
    [{ fraction: 1, activePerToken: 6 }, /fraction/],
    [{ fraction: 0.4, activePerToken: 2 }, /activePerToken must be in \[3, 7\.5\]/],
    [{ fraction: 0.4, activePerToken: 8 }, /activePerToken must be in/],
  ])('rejects %j with a ConfigError naming denseTokens', (denseTokens, message) => {
    const make = () => new SyntheticActivations({ ...base, denseTokens });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/denseTokens/);
    expect(make).toThrow(message);
  });

  it('rejects a dense scale that would take a firing probability above 1', () => {
    // A steep power law: feature 0 already fires on every token (p capped at 1).
    const steep = {
      ...base,
      frequencyExponent: 1.5,
      denseTokens: { fraction: 0.4, activePerToken: 6 },
    };
    expect(() => new SyntheticActivations(steep)).toThrow(/firing probability/);
  });
});
