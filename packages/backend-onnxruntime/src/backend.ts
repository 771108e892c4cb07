import { availableParallelism } from 'node:os';
import {
  type Backend,
  type BackendDescriptor,
  type BackendMemory,
  BackendUnavailableError,
  bindKernels,
  type DType,
  defineBackend,
  type HostArray,
  NO_LIMITS,
  type Tensor,
} from '@saekit/core';
import { OrtContext } from './context.js';
import { MAX_HEAP_BYTES } from './heap.js';
import * as ORT_KERNELS from './kernels/index.js';
import { loadOrt } from './ort/binding.js';
import { OrtTensor } from './tensor.js';

export interface OnnxruntimeBackendOptions {
  /** Threads for ORT's intra-op pools; default: every core (os.availableParallelism()). */
  readonly threads?: number;
}

/** What the backend exposes beyond the contract, for diagnostics and benchmarks. */
export interface OnnxruntimeExtras {
  readonly threads: number;
  readonly ortVersion: string;
  /** ORT sessions currently cached (one per graph and shape). */
  sessionCount(): number;
  /** Bytes in live tensors and scratch, and the heap's size (it grows, never shrinks). */
  heapBytes(): { live: number; capacity: number };
}

export type OnnxruntimeBackend = Backend & OnnxruntimeExtras;

export function deviceName(threads: number, version: string): string {
  return `onnxruntime ${version} (MLAS), ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * The native CPU backend: tensors are host typed arrays; dense products run on cached ORT
 * sessions that write into those arrays in place; the other kernels run where measurement
 * put them (README: kernel table).
 */
export function createOnnxruntimeBackend(
  options: OnnxruntimeBackendOptions = {},
): OnnxruntimeBackend {
  const ort = loadOrt();
  if (ort instanceof Error) throw new BackendUnavailableError('onnxruntime', ort.message);
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BackendUnavailableError(
      'onnxruntime',
      `threads must be a positive integer, got ${threads}`,
    );
  }
  const ctx = new OrtContext(ort, threads);
  const { heap } = ctx;
  const memory: BackendMemory = {
    create(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
      let size = 1;
      for (const s of shape) size *= s;
      const t = new OrtTensor(shape, dtype, size, heap, heap.alloc(size * 4));
      // Freed blocks are reused, so a new tensor is zeroed (or filled) explicitly.
      const view = t.data as HostArray;
      if (data === undefined) view.fill(0);
      else view.set(data);
      return t;
    },
    write: (t, data) => (t as OrtTensor).data?.set(data),
    read: async (t) => ((t as OrtTensor).data as HostArray).slice(),
    dispose: (t) => (t as OrtTensor).dispose(),
    status: (t) =>
      !(t instanceof OrtTensor) || t.heap !== heap ? 'foreign' : t.disposed ? 'disposed' : 'usable',
    flush: () => {},
    destroy: () => ctx.destroy(),
  };
  const descriptor: BackendDescriptor = {
    name: 'onnxruntime',
    device: deviceName(threads, ort.version),
    kind: 'cpu-native',
    // Every tensor shares one wasm32 heap, so none can exceed it.
    limits: { ...NO_LIMITS, maxTensorBytes: MAX_HEAP_BYTES - 2 ** 16 },
  };
  return defineBackend(
    { descriptor, memory, kernels: bindKernels(ctx, ORT_KERNELS) },
    {
      threads,
      ortVersion: ort.version,
      sessionCount: () => ctx.sessions.size,
      heapBytes: () => ({ live: heap.liveBytes, capacity: heap.capacity }),
    },
  );
}
