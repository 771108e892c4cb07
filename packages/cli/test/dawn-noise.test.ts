import { describe, expect, it } from 'vitest';
import { DAWN_NOISE } from '../src/dawn-noise.js';
import { saekit } from './saekit.js';

describe('Dawn’s adapter-limit warnings', () => {
  it('are recognised exactly, and nothing else is', () => {
    expect(
      DAWN_NOISE.test(
        'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
      ),
    ).toBe(true);
    expect(DAWN_NOISE.test('Warning: something else')).toBe(false);
    expect(DAWN_NOISE.test('skipping webgpu: no adapter')).toBe(false);
  });

  it('do not reach the user during bench; its results and progress still do', () => {
    const r = saekit([
      'bench',
      '--config',
      '16,64,4,64',
      '--steps',
      '1',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/artificially reduced/);
    expect(r.stderr).toMatch(/^bench cpu d_in=16/m);
    const { results } = JSON.parse(r.stdout);
    expect(results.length).toBeGreaterThan(0);
  });
});
