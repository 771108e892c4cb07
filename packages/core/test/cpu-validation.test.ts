import { createCpuBackend, KernelArgumentError } from '@saekit/core';
import { describe, expect, it } from 'vitest';

/**
 * What only the reference backend checks: data-dependent errors it can see without a
 * read-back. Argument errors every backend shares are the conformance suite's
 * 'argument errors' group (conformance-cpu.test.ts runs it here).
 */
describe('cpu backend: data checks and lifetime', () => {
  it('an index past the weight rows is named by slot', () => {
    const be = createCpuBackend();
    const call = () =>
      be.gatherDot(
        be.create([2, 2]),
        be.create([2, 4]),
        be.create([2, 2], 'int32', Int32Array.from([0, 1, 5, -1])),
        be.create([5, 4]),
      );
    expect(call).toThrow(KernelArgumentError);
    expect(call).toThrow(/^gatherDot: indices\[2\] = 5 is outside \[0, 5\)/);
  });

  it('a destroyed backend refuses further work', async () => {
    const b = createCpuBackend();
    const t = b.create([2]);
    await b.destroy();
    expect(b.alive).toBe(false);
    expect(() => b.fill(t, 1)).toThrow(/^fill: the cpu backend has been destroyed/);
    expect(() => b.create([2])).toThrow(/^create: the cpu backend has been destroyed/);
  });
});
