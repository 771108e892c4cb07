import { describe, expect, it } from 'vitest';
import { onFrontier } from '../src/sweep-summary.js';

describe('onFrontier', () => {
  it('keeps the members no other beats on both FVU and L0', () => {
    const rows = [
      { l0: 4, fvu: 0.4 },
      { l0: 8, fvu: 0.35 },
      // Beaten by the second on both.
      { l0: 34, fvu: 0.357 },
      // Same L0 as the first, worse FVU.
      { l0: 4, fvu: 0.45 },
      // Equal to the second: neither beats the other strictly.
      { l0: 8, fvu: 0.35 },
      { l0: 2, fvu: 0.9 },
    ];
    expect(onFrontier(rows)).toEqual([true, true, false, false, true, true]);
  });
});
