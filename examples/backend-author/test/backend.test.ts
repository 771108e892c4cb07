import { BackendRegistry, ShapeError } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { createNaiveBackend, naiveBackend } from '../src/index.js';

// What the conformance suite does not cover: this backend's own bookkeeping and errors.
describe('naive backend', () => {
  it('is found by name through a registry', async () => {
    const registry = new BackendRegistry().register(naiveBackend);
    const { backend, refused } = await registry.resolve(['missing', 'naive']);
    expect(backend.name).toBe('naive');
    expect(refused.map((r) => r.name)).toEqual(['missing']);
  });

  it('computes a small matmul with bias that can be checked by hand', async () => {
    const be = createNaiveBackend();
    const a = be.create([2, 2], 'float32', new Float32Array([1, 2, 3, 4]));
    const b = be.create([2, 2], 'float32', new Float32Array([5, 6, 7, 8]));
    const bias = be.create([2], 'float32', new Float32Array([10, 20]));
    const out = be.create([2, 2]);
    be.matmul(out, a, b, { transB: true, bias });
    // [[1,2],[3,4]] · [[5,7],[6,8]] = [[17,23],[39,53]], plus the bias row.
    expect(Array.from(await be.read(out))).toEqual([27, 43, 49, 73]);
  });

  it('gets argument checks it never wrote: core validates every call before a kernel runs', () => {
    const be = createNaiveBackend();
    const a = be.create([2, 3]);
    const b = be.create([2, 3]);
    expect(() => be.matmul(be.create([2, 2]), a, b)).toThrow(ShapeError);
    expect(() => be.matmul(be.create([3, 2]), a, b, { transB: true })).toThrow(
      /^matmul: out \[3, 2\] must be \[2, 2\]/,
    );
    expect(() => be.gatherDot(be.create([2, 1]), a, be.create([2, 1]), b)).toThrow(
      /^gatherDot: indices must be int32/,
    );
  });

  it('refuses tensors after dispose and everything after destroy', async () => {
    const be = createNaiveBackend();
    const t = be.create([3]);
    be.create([4]);
    expect(be.liveTensors).toBe(2);
    be.dispose(t);
    expect(be.liveTensors).toBe(1);
    await expect(be.read(t)).rejects.toThrow(/^read: tensor has been disposed/);
    await be.destroy();
    expect(() => be.create([1])).toThrow(/the naive backend has been destroyed/);
  });
});
