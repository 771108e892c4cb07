import { availableParallelism } from 'node:os';
import { BackendRegistry, BackendUnavailableError, cpuBackend } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { createOnnxruntimeBackend, onnxruntimeBackend } from '../src/index.js';
import { cblasAvailability } from './support/cblas.js';

describe('onnxruntime factory', () => {
  it('probes as a native CPU backend on every core', async () => {
    const probe = await onnxruntimeBackend.probe();
    expect(probe).toMatchObject({ ok: true, kind: 'cpu-native' });
    if (probe.ok) expect(probe.device).toContain(`${availableParallelism()} thread`);
  });

  it("is auto's pick over cpu (and ranks above tfjs's 50)", async () => {
    expect(onnxruntimeBackend.priority).toBeGreaterThan(50);
    const registry = new BackendRegistry().register(cpuBackend).register(onnxruntimeBackend);
    const { backend } = await registry.resolve('auto');
    try {
      expect(backend.name).toBe('onnxruntime');
      expect(backend.descriptor.kind).toBe('cpu-native');
    } finally {
      await backend.destroy();
    }
  });

  it('takes a thread count and refuses a bad one by name', async () => {
    const one = createOnnxruntimeBackend({ threads: 1 });
    expect(one.threads).toBe(1);
    expect(one.descriptor.device).toMatch(/1 thread\b/);
    await one.destroy();
    expect(() => createOnnxruntimeBackend({ threads: 0 })).toThrow(BackendUnavailableError);
    expect(() => createOnnxruntimeBackend({ threads: 0 })).toThrow(
      /threads must be a positive integer, got 0/,
    );
  });

  it('falls back to MLAS with the reason when no CBLAS library loads, or refuses if told to', async () => {
    const saved = process.env.SAEKIT_CBLAS;
    process.env.SAEKIT_CBLAS = '/nonexistent/libnothing.so';
    try {
      const b = createOnnxruntimeBackend({ threads: 1 });
      expect(b.descriptor.variant).toBe('mlas');
      expect(b.descriptor.device).toMatch(/products on MLAS/);
      expect(b.gemm.reasons.join('\n')).toContain('/nonexistent/libnothing.so');
      await b.destroy();
      expect(() => createOnnxruntimeBackend({ gemm: 'cblas' })).toThrow(BackendUnavailableError);
      expect(() => createOnnxruntimeBackend({ gemm: 'cblas' })).toThrow(
        /no CBLAS library loads \(\/nonexistent\/libnothing\.so: .*\).*SAEKIT_CBLAS/,
      );
      process.env.SAEKIT_CBLAS = 'none';
      expect(createOnnxruntimeBackend({ threads: 1 }).gemm.variant).toBe('mlas');
    } finally {
      if (saved === undefined) delete process.env.SAEKIT_CBLAS;
      else process.env.SAEKIT_CBLAS = saved;
    }
  });

  it.skipIf(!cblasAvailability().ok)(
    'runs products on CBLAS where one loads, and says which',
    async () => {
      const b = createOnnxruntimeBackend({ threads: 2 });
      try {
        expect(b.descriptor.variant).toBe('cblas');
        expect(b.descriptor.device).toMatch(/products on .+ via .+, 2 threads/);
        // a [2, 3] · [3, 2] product with a bias row and alpha, against hand-computed values.
        const a = b.create([2, 3], 'float32', Float32Array.from([1, 2, 3, 4, 5, 6]));
        const w = b.create([2, 3], 'float32', Float32Array.from([1, 0, -1, 2, 1, 0]));
        const bias = b.create([2], 'float32', Float32Array.from([10, 20]));
        const out = b.create([2, 2]);
        b.matmul(out, a, w, { transB: true, alpha: 2, bias });
        // a·wᵀ = [[-2, 4], [-2, 13]]; ·2 + bias
        expect([...(await b.read(out))]).toEqual([6, 28, 6, 46]);
        b.matmul(out, a, w, { transB: true, accumulate: true });
        expect([...(await b.read(out))]).toEqual([4, 32, 4, 59]);
        expect(b.sessionCount()).toBe(0);
      } finally {
        await b.destroy();
      }
    },
  );

  it('caches one MLAS session per product shape and frees them on destroy', async () => {
    const b = createOnnxruntimeBackend({ threads: 1, gemm: 'mlas' });
    expect(b.descriptor.variant).toBe('mlas');
    const a = b.create(
      [3, 4],
      'float32',
      Float32Array.from({ length: 12 }, (_, i) => i),
    );
    const w = b.create(
      [5, 4],
      'float32',
      Float32Array.from({ length: 20 }, (_, i) => i % 3),
    );
    const out = b.create([3, 5]);
    b.matmul(out, a, w, { transB: true });
    b.matmul(out, a, w, { transB: true });
    expect(b.sessionCount()).toBe(1);
    b.matmul(out, a, w, { transB: true, alpha: 2 });
    expect(b.sessionCount()).toBe(2);
    // out[1][2] = 2 · ⟨a[1], w[2]⟩ = 2 · (4·2 + 5·0 + 6·1 + 7·2)
    expect((await b.read(out))[1 * 5 + 2]).toBe(2 * (8 + 0 + 6 + 14));
    await b.destroy();
    expect(b.sessionCount()).toBe(0);
  });
});
