import {
  createCpuBackendImpl,
  type KernelTable,
  resolveScale,
  type Scale,
  type Tensor,
} from '@saekit/core';
import { Heap } from './heap.js';
import type { Ort } from './ort/binding.js';
import { SessionCache } from './ort/sessions.js';
import type { OrtTensor } from './tensor.js';
import { instantiateKernels, type WasmKernels } from './wasm.js';

/**
 * What every kernel of this backend receives: the heap its (validated) tensors live in, the
 * SIMD kernels over that heap, the ORT session cache, core's reference kernels for the kernels
 * where plain loops are already the fastest choice (they run on the same typed arrays), and
 * grow-only scratch blocks inside the heap.
 */
export class OrtContext {
  readonly heap = new Heap();
  readonly wasm: WasmKernels = instantiateKernels(this.heap.memory);
  readonly sessions: SessionCache;
  /** Scratch blocks inside the heap, for the SIMD kernels: slot → [offset, bytes]. */
  readonly #heapScratch = new Map<string, [number, number]>();
  /** core's cpu kernels, over the same memory (OrtTensor has CpuTensor's `data`). */
  readonly reference: KernelTable = createCpuBackendImpl().kernels;

  constructor(
    readonly ort: Ort,
    readonly threads: number,
  ) {
    this.sessions = new SessionCache(ort, threads);
  }

  f32(t: Tensor): Float32Array {
    return (t as OrtTensor).data as Float32Array;
  }

  i32(t: Tensor): Int32Array {
    return (t as OrtTensor).data as Int32Array;
  }

  scale(s: Scale): number {
    return resolveScale(s, (source, index) => ((source as OrtTensor).data as Float32Array)[index]);
  }

  /** The heap offset of a tensor, for the SIMD kernels. */
  ptr(t: Tensor): number {
    return (t as OrtTensor).offset;
  }

  /** A grow-only scratch block of at least `bytes` inside the heap (its offset). */
  heapScratch(slot: string, bytes: number): number {
    const have = this.#heapScratch.get(slot);
    if (have !== undefined && have[1] >= bytes) return have[0];
    if (have !== undefined) this.heap.free(have[0]);
    const size = Math.max(bytes, have === undefined ? 0 : have[1] * 2);
    const at = this.heap.alloc(size);
    this.#heapScratch.set(slot, [at, size]);
    return at;
  }

  /** Views of heap memory at an offset (valid until the heap next grows). */
  f32At(offset: number, n: number): Float32Array {
    return new Float32Array(this.heap.memory.buffer, offset, n);
  }

  i32At(offset: number, n: number): Int32Array {
    return new Int32Array(this.heap.memory.buffer, offset, n);
  }

  destroy(): void {
    this.sessions.clear();
  }
}
