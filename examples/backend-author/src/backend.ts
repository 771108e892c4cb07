import { type Backend, type BackendMemory, defineBackend, NO_LIMITS } from '@saekit/core';
import * as kernels from './kernels/index.js';
import { allocate, BACKEND_NAME, NaiveTensor } from './tensor.js';

export type NaiveBackend = Backend & { readonly liveTensors: number };

/**
 * A Backend in the plainest form: tensors are typed arrays in host memory. What a backend
 * author writes is memory management and math; `defineBackend` adds validation of every
 * call, so none of this code checks an argument.
 */
export function createNaiveBackend(): NaiveBackend {
  const live = new Set<NaiveTensor>();
  const memory: BackendMemory = {
    create(shape, dtype, data) {
      const t = new NaiveTensor(
        shape,
        dtype,
        allocate(
          dtype,
          shape.reduce((a, b) => a * b, 1),
        ),
      );
      if (data !== undefined) t.data.set(data);
      live.add(t);
      return t;
    },
    write: (t, data) => (t as NaiveTensor).data.set(data),
    // A copy, so the caller can keep it while kernels keep writing the tensor.
    read: async (t) => (t as NaiveTensor).data.slice(),
    dispose(t) {
      (t as NaiveTensor).release();
      live.delete(t as NaiveTensor);
    },
    status: (t) =>
      live.has(t as NaiveTensor)
        ? 'usable'
        : t instanceof NaiveTensor && t.disposed
          ? 'disposed'
          : 'foreign',
    flush() {}, // nothing is queued: every kernel ran when it was called
    destroy() {
      for (const t of live) t.release();
      live.clear();
    },
  };
  const descriptor = {
    name: BACKEND_NAME,
    device: 'JavaScript loops',
    kind: 'cpu-native',
    limits: NO_LIMITS,
  } as const;
  return defineBackend(
    { descriptor, memory, kernels },
    {
      /** Tensors created and not yet disposed (a leak check for tests). */
      get liveTensors() {
        return live.size;
      },
    },
  );
}
