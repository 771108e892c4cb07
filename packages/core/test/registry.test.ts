import {
  type Backend,
  type BackendFactory,
  BackendRegistry,
  BackendUnavailableError,
  cpuBackend,
  createCpuBackend,
  createDefaultRegistry,
  NoBackendError,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

/** A factory that hands out a renamed cpu backend, or refuses with the given error. */
function fake(
  name: string,
  priority: number,
  refuse?: Error | string,
): BackendFactory & { calls: number } {
  const f = {
    name,
    priority,
    calls: 0,
    async create(): Promise<Backend> {
      f.calls++;
      if (refuse !== undefined) throw refuse;
      return Object.assign(createCpuBackend(), { name }) as Backend;
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
});
