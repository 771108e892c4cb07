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
import { CblasGemm, cblasCandidates, loadCblas } from './gemm/cblas.js';
import { OrtGemm } from './gemm/ort.js';
import type { GemmProvider } from './gemm/product.js';
import { MAX_HEAP_BYTES } from './heap.js';
import * as ORT_KERNELS from './kernels/index.js';
import { loadOrt, type Ort } from './ort/binding.js';
import { OrtTensor } from './tensor.js';

export interface OnnxruntimeBackendOptions {
  /**
   * Threads for the SIMD kernels' pool and the dense products; default: every core
   * (os.availableParallelism()).
   */
  readonly threads?: number;
  /**
   * Who runs the dense products. 'auto' (default): a CBLAS library the system already has
   * (OpenBLAS, MKL, BLIS, Accelerate; `SAEKIT_CBLAS` names another) where one loads, else ORT's
   * MLAS. 'cblas' refuses to fall back; 'mlas' never looks for CBLAS.
   */
  readonly gemm?: 'auto' | 'cblas' | 'mlas';
}

/** The provider of dense products, and why each CBLAS candidate was passed over. */
export interface GemmChoice {
  readonly variant: 'cblas' | 'mlas';
  readonly label: string;
  readonly reasons: readonly string[];
}

/** What the backend exposes beyond the contract, for diagnostics and benchmarks. */
export interface OnnxruntimeExtras {
  readonly threads: number;
  readonly ortVersion: string;
  readonly gemm: GemmChoice;
  /** Kernel calls split over more than one thread of the pool so far, by SIMD kernel. */
  parallelCalls(): Readonly<Record<string, number>>;
  /** ORT sessions currently cached (one per graph and shape). */
  sessionCount(): number;
  /** Bytes in live tensors and scratch, and the heap's size (it grows, never shrinks). */
  heapBytes(): { live: number; capacity: number };
}

export type OnnxruntimeBackend = Backend & OnnxruntimeExtras;

export function deviceName(threads: number, version: string, gemm: string): string {
  return `onnxruntime ${version}, products on ${gemm}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The provider of dense products for `choice`, with the reasons CBLAS candidates failed. */
export function chooseGemm(
  ort: Ort,
  threads: number,
  choice: 'auto' | 'cblas' | 'mlas',
): { provider: GemmProvider; reasons: readonly string[] } {
  if (choice === 'mlas') return { provider: new OrtGemm(ort, threads), reasons: [] };
  const found = loadCblas(cblasCandidates());
  if ('sgemm' in found) return { provider: new CblasGemm(found, threads), reasons: [] };
  const reasons = found.reasons.length > 0 ? found.reasons : ['no CBLAS library is known here'];
  if (choice === 'cblas') {
    throw new BackendUnavailableError(
      'onnxruntime',
      `gemm 'cblas' was asked for, but no CBLAS library loads (${reasons.join('; ')}); install OpenBLAS (Debian: apt-get install libopenblas0-pthread), name a library in SAEKIT_CBLAS, or use gemm 'auto'`,
    );
  }
  return { provider: new OrtGemm(ort, threads), reasons };
}

/**
 * The native CPU backend: tensors live in one shared wasm heap; dense products run on a CBLAS
 * library in place or on ORT's MLAS; the other kernels are SIMD over the heap on a pool of
 * threads, or core's loops where measurement put them (README: kernel table).
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
  const { provider, reasons } = chooseGemm(ort, threads, options.gemm ?? 'auto');
  const ctx = new OrtContext(ort, threads, provider);
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
    device: deviceName(threads, ort.version, provider.label),
    kind: 'cpu-native',
    variant: provider.variant,
    // Every tensor shares one wasm32 heap, so none can exceed it.
    limits: { ...NO_LIMITS, maxTensorBytes: MAX_HEAP_BYTES - 2 ** 16 },
  };
  return defineBackend(
    { descriptor, memory, kernels: bindKernels(ctx, ORT_KERNELS) },
    {
      threads,
      ortVersion: ort.version,
      gemm: { variant: provider.variant, label: provider.label, reasons },
      parallelCalls: () => Object.fromEntries(ctx.pool.parallelRuns),
      sessionCount: () => (provider instanceof OrtGemm ? provider.sessions.size : 0),
      heapBytes: () => ({ live: heap.liveBytes, capacity: heap.capacity }),
    },
  );
}
