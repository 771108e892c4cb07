import { describe, expect, it } from 'vitest';
import { epochPlan } from '../src/epochs.js';

describe('epochPlan', () => {
  it('states epochs and warns only past one pass, saying how many steps one pass is', () => {
    expect(epochPlan(200_000, 4096, 40)).toEqual({ text: 'epochs=0.82' });
    expect(epochPlan(4096, 4096, 1)).toEqual({ text: 'epochs=1.00' });
    // The case: 1000 steps × 4096 rows on a 200k-row dataset.
    const p = epochPlan(200_000, 4096, 1000);
    expect(p.text).toBe('epochs=20.5');
    expect(p.warning).toMatch(
      /^1000 steps × 4096 tokens is 20\.5 passes over the 200000 rows of --data/,
    );
    expect(p.warning).toContain('one pass is --steps 48');
  });
});
