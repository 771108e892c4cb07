import { bindKernels } from '../../backend/bind-kernels.js';
import {
  type Backend,
  type BackendImpl,
  type BackendMemory,
  defineBackend,
} from '../../backend/define-backend.js';
import { NO_LIMITS } from '../../backend/descriptor.js';
import type { DType, HostArray, Tensor } from '../../backend/tensor.js';
import { CpuContext } from './context.js';
import * as CPU_KERNELS from './kernels/index.js';
import { CpuTensor } from './tensor.js';

/**
 * The reference backend: plain TypeScript on typed arrays, synchronous, deterministic (same
 * inputs give bit-identical outputs). Memory is typed arrays owned by one instance; each
 * kernel lives in its own file under kernels/.
 */
export function createCpuBackend(): Backend {
  return defineBackend(createCpuBackendImpl());
}

/**
 * The cpu backend's parts, for building a variant on them: a test's deliberately broken
 * kernel (`defineBackend({ ...impl, kernels: { ...impl.kernels, topk } })`) or a backend
 * that reuses cpu memory and overrides some kernels.
 */
export function createCpuBackendImpl(): BackendImpl {
  const ctx = new CpuContext();
  const owner = {};
  const memory: BackendMemory = {
    create(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
      let size = 1;
      for (const s of shape) size *= s;
      const array =
        dtype === 'float32'
          ? data === undefined
            ? new Float32Array(size)
            : Float32Array.from(data)
          : data === undefined
            ? new Int32Array(size)
            : Int32Array.from(data);
      return new CpuTensor(shape, dtype, array, owner);
    },
    write: (t, data) => ctx.data(t).set(data),
    read: async (t) => ctx.data(t).slice(),
    dispose: (t) => (t as CpuTensor).dispose(),
    status: (t) =>
      !(t instanceof CpuTensor) || t.owner !== owner
        ? 'foreign'
        : t.disposed
          ? 'disposed'
          : 'usable',
    flush: () => {},
    destroy: () => ctx.clear(),
  };
  return {
    descriptor: {
      name: 'cpu',
      device: 'plain TypeScript, one thread',
      kind: 'cpu-native',
      limits: NO_LIMITS,
    },
    memory,
    kernels: bindKernels(ctx, CPU_KERNELS),
  };
}
