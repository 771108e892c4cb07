import {
  type Backend,
  type BackendFactory,
  type BackendProbe,
  BackendRegistry,
  BackendUnavailableError,
  cpuBackend,
  createCpuBackendImpl,
  createDefaultRegistry,
  defineBackend,
  LimitError,
  NoBackendError,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

/** A factory that hands out a renamed cpu backend, or refuses with the given error. */
function fake(
  name: string,
  priority: number,
  refuse?: Error | string,
  probe: BackendProbe = { ok: true, kind: 'cpu-native', device: `${name} device` },
): BackendFactory & { calls: number } {
  const f = {
    name,
    priority,
    calls: 0,
    probe: async () => probe,
    async create(): Promise<Backend> {
      f.calls++;
      if (refuse !== undefined) throw refuse;
      const impl = createCpuBackendImpl();
      return defineBackend({ ...impl, descriptor: { ...impl.descriptor, name } });
    },
  };
  return f;
}

describe('BackendRegistry', () => {
  it('the default registry holds cpu, which always resolves', async () => {
    const reg = createDefaultRegistry();
    expect(reg.names()).toEqual(['cpu']);
    const { backend, refused } = await reg.resolve();
    expect(backend.name).toBe('cpu');
    expect(refused).toEqual([]);
    expect(cpuBackend.priority).toBe(0);
  });

  it("'auto' tries factories by descending priority and stops at the first that works", async () => {
    const low = fake('low', 10);
    const high = fake('high', 100);
    const mid = fake('mid', 50);
    const reg = createDefaultRegistry().register(low).register(high).register(mid);
    expect(reg.names()).toEqual(['high', 'mid', 'low', 'cpu']);
    const { backend, refused } = await reg.resolve('auto');
    expect(backend.name).toBe('high');
    expect(refused).toEqual([]);
    expect([high.calls, mid.calls, low.calls]).toEqual([1, 0, 0]);
  });

  it('falls back past refusing backends and keeps every reason', async () => {
    const gpu = fake('gpu', 100, new BackendUnavailableError('gpu', 'no adapter found'));
    const tf = fake('tf', 50, new Error('libtensorflow missing'));
    const odd = fake('odd', 20, 'a thrown string');
    const reg = createDefaultRegistry().register(gpu).register(tf).register(odd);
    const { backend, refused } = await reg.resolve();
    expect(backend.name).toBe('cpu');
    expect(refused).toEqual([
      { name: 'gpu', reason: 'no adapter found' },
      { name: 'tf', reason: 'libtensorflow missing' },
      { name: 'odd', reason: 'a thrown string' },
    ]);
  });

  it('an explicit preference list is tried in its own order, ignoring priority', async () => {
    const reg = createDefaultRegistry().register(fake('high', 100)).register(fake('low', 1));
    expect((await reg.resolve(['low', 'high'])).backend.name).toBe('low');
    expect((await reg.resolve(['cpu'])).backend.name).toBe('cpu');
    expect((await reg.resolve([])).backend.name).toBe('high');
  });

  it('unknown names are refused with the known names, then the next candidate is tried', async () => {
    const reg = createDefaultRegistry();
    const { backend, refused } = await reg.resolve(['webgpu', 'cpu']);
    expect(backend.name).toBe('cpu');
    expect(refused).toEqual([{ name: 'webgpu', reason: 'not registered (known: cpu)' }]);
  });

  it('throws NoBackendError listing every refusal when nothing can be created', async () => {
    const reg = new BackendRegistry().register(
      fake('gpu', 100, new BackendUnavailableError('gpu', 'no adapter')),
    );
    const err = await reg.resolve(['gpu', 'nope']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoBackendError);
    expect((err as NoBackendError).refused).toEqual([
      { name: 'gpu', reason: 'no adapter' },
      { name: 'nope', reason: 'not registered (known: gpu)' },
    ]);
    expect((err as Error).message).toContain('gpu (no adapter)');
    await expect(new BackendRegistry().resolve()).rejects.toThrow(/none registered/);
  });

  it('registering a name again replaces the earlier factory', async () => {
    const reg = createDefaultRegistry().register(fake('cpu', 0, new Error('replaced')));
    expect(reg.names()).toEqual(['cpu']);
    await expect(reg.resolve()).rejects.toThrow(/cpu \(replaced\)/);
  });

  it("'auto' prefers a gpu over cpu-native whatever the priorities, and passes over emulated GPUs with the reason", async () => {
    const soft = fake('soft', 1000, undefined, {
      ok: true,
      kind: 'cpu-emulated',
      device: 'llvmpipe (LLVM 15)',
    });
    const gpu = fake('gpu', 1, undefined, { ok: true, kind: 'gpu', device: 'H200' });
    const gone = fake('gone', 500, undefined, { ok: false, reason: 'package not installed' });
    const reg = createDefaultRegistry().register(soft).register(gpu).register(gone);
    const { backend, refused } = await reg.resolve('auto');
    expect(backend.name).toBe('gpu');
    expect(refused).toEqual([
      {
        name: 'soft',
        reason: expect.stringMatching(
          /^llvmpipe \(LLVM 15\) emulates a GPU on the CPU.*ask for 'soft' by name/,
        ),
      },
      { name: 'gone', reason: 'package not installed' },
    ]);
    expect([soft.calls, gone.calls]).toEqual([0, 0]);
    // Asked by name, or with allowEmulated, the emulated backend is used.
    expect((await reg.resolve(['soft'])).backend.name).toBe('soft');
    const noGpu = createDefaultRegistry().register(soft);
    expect((await noGpu.resolve('auto', { allowEmulated: true })).backend.name).toBe('cpu');
    expect(
      (await new BackendRegistry().register(soft).resolve('auto', { allowEmulated: true })).backend
        .name,
    ).toBe('soft');
  });

  it('a probe may lower a backend below another of its kind (a slower engine found at run time)', async () => {
    const engine = fake('engine', 50, undefined, {
      ok: true,
      kind: 'cpu-native',
      device: 'pure JS',
      priority: -5,
    });
    const reg = createDefaultRegistry().register(engine);
    expect((await reg.plan()).order).toEqual(['cpu', 'engine']);
  });

  it("a config over the backend's top-k limit is refused before any allocation, naming the limit", async () => {
    const impl = createCpuBackendImpl();
    let created = 0;
    const small = defineBackend({
      ...impl,
      descriptor: {
        ...impl.descriptor,
        name: 'small',
        limits: { ...impl.descriptor.limits, maxTopK: 64 },
      },
      memory: { ...impl.memory, create: (...a) => (created++, impl.memory.create(...a)) },
    });
    const cfg = { dIn: 256, dSae: 1024, k: 16, batchSize: 32, steps: 10 };
    // k_aux defaults to dIn / 2 = 128 > 64.
    const err = await Trainer.create(small, cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).key).toBe('kAux');
    expect((err as Error).message).toMatch(/maxTopK = 64/);
    expect(created).toBe(0);
    const tooWide = await Trainer.create(small, { ...cfg, k: 65, auxkAlpha: 0 }).catch(
      (e: unknown) => e,
    );
    expect((tooWide as LimitError).key).toBe('k');
    expect(created).toBe(0);
    const ok = await Trainer.create(small, { ...cfg, kAux: 64 });
    expect(created).toBeGreaterThan(0);
    ok.dispose();
  });
});
