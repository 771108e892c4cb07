// The 'tensorflow' path without libtensorflow: tfjs-node-gpu is mocked as installed but with a
// binding that fails to load (as on a machine without CUDA), tfjs-node as a working package
// that registers the 'tensorflow' tfjs backend (here backed by tfjs's cpu kernels).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { createTfjsBackend } from '../src/index.js';

vi.mock('@tensorflow/tfjs-node-gpu', () => {
  throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
});
vi.mock('@tensorflow/tfjs-node', async () => {
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  tf.registerBackend('tensorflow', () => new cpu.MathBackendCPU());
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...config, backendName: 'tensorflow' });
  }
  return { version: { 'tfjs-node': '4.22.0' } };
});

describe('tfjs backend choice with tfjs-node present', () => {
  it('prefers tensorflow, says why tfjs-node-gpu was passed over, and runs kernels on it', async () => {
    const be = await createTfjsBackend();
    expect(be.choice.kind).toBe('tensorflow');
    // vitest wraps a throwing mock factory's error in its own message, so match the prefix.
    expect(be.choice.detail).toMatch(
      /^@tensorflow\/tfjs-node 4\.22\.0 \(@tensorflow\/tfjs-node-gpu installed but failed to load: /,
    );
    expect(be.choice.skipped).toEqual([]);
    expect(tf.getBackend()).toBe('tensorflow');
    const x = be.create([2, 2], 'float32', Float32Array.from([1, 2, 3, 4]));
    const out = be.create([2]);
    be.columnSums(out, x);
    expect(Array.from(await be.read(out))).toEqual([4, 6]);
    be.destroy();
  });
});
