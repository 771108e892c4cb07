import { BackendRegistry } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend, tfjsBackend } from '../src/index.js';

describe('tfjs backend choice', () => {
  it('skips tensorflow with the reason when tfjs-node is not installed, then takes wasm', async () => {
    const be = await createTfjsBackend();
    try {
      expect(be.choice.kind).toBe('wasm');
      expect(be.choice.skipped).toHaveLength(1);
      const [skip] = be.choice.skipped;
      expect(skip.kind).toBe('tensorflow');
      expect(skip.reason).toContain('@tensorflow/tfjs-node-gpu not installed');
      expect(skip.reason).toContain('@tensorflow/tfjs-node not installed');
      expect(be.choice.detail).toContain('single-threaded');
    } finally {
      be.destroy();
    }
  });

  it('honours an explicit preference and reports unknown names', async () => {
    const be = await createTfjsBackend({ prefer: ['cpu', 'wasm'] });
    expect(be.choice.kind).toBe('cpu');
    be.destroy();
    await expect(createTfjsBackend({ prefer: ['tensorflow'] })).rejects.toThrow(
      /tensorflow: .*not installed/,
    );
  });

  it('registers in a BackendRegistry as "tfjs" at priority 50', async () => {
    const registry = new BackendRegistry().register(tfjsBackend);
    expect(tfjsBackend.priority).toBe(50);
    const { backend, refused } = await registry.resolve(['tfjs']);
    expect(backend.name).toBe('tfjs');
    expect(refused).toEqual([]);
    await backend.destroy();
  });
});
