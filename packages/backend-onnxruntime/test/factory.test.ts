import { availableParallelism } from 'node:os';
import { BackendRegistry, BackendUnavailableError, cpuBackend } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { createOnnxruntimeBackend, onnxruntimeBackend } from '../src/index.js';

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

  it('caches one session per product shape and frees them on destroy', async () => {
    const b = createOnnxruntimeBackend({ threads: 1 });
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
