import {
  createCpuBackendImpl,
  type KernelTable,
  resolveScale,
  type Scale,
  type Tensor,
} from '@saekit/core';
import type { GemmProvider } from './gemm/product.js';
import { Heap } from './heap.js';
import type { Ort } from './ort/binding.js';
import { MIN_PART_ELEMENTS, split, ThreadPool } from './pool/thread-pool.js';
import type { OrtTensor } from './tensor.js';
import { instantiateKernels, kernelsModule, WASM_KERNEL_NAMES, type WasmKernels } from './wasm.js';

/** Rows per part so that a part has at least MIN_PART_ELEMENTS elements of work. */
export const rowsPerPart = (cols: number): number =>
  Math.max(1, Math.ceil(MIN_PART_ELEMENTS / cols));

/**
 * What every kernel of this backend receives: the heap its (validated) tensors live in, the
 * SIMD kernels over that heap and the thread pool that runs them on every core, the provider
 * of dense products, core's reference kernels for the kernels where plain loops are already
 * the fastest choice (they run on the same typed arrays), and grow-only scratch blocks inside
 * the heap.
 */
export class OrtContext {
  readonly heap = new Heap();
  readonly wasm: WasmKernels = instantiateKernels(this.heap.memory);
  readonly pool: ThreadPool;
  /** Scratch blocks inside the heap, for the SIMD kernels: slot → [offset, bytes]. */
  readonly #heapScratch = new Map<string, [number, number]>();
  /** core's cpu kernels, over the same memory (OrtTensor has CpuTensor's `data`). */
  readonly reference: KernelTable = createCpuBackendImpl().kernels;

  constructor(
    readonly ort: Ort,
    readonly threads: number,
    readonly gemm: GemmProvider,
  ) {
    this.pool = new ThreadPool(
      threads,
      kernelsModule(),
      this.heap.memory,
      this.wasm,
      WASM_KERNEL_NAMES,
    );
  }

  /**
   * `rows` rows costing `perRow` elements each, as [first, end) ranges, one per thread that
   * gets at least rowsPerPart's worth: row-split kernels write disjoint rows.
   */
  rowRanges(rows: number, perRow: number): [number, number][] {
    return split(rows, this.threads, rowsPerPart(perRow));
  }

  /**
   * `n` elements as [first, end) ranges on 16-float (64-byte) boundaries, whole SIMD vectors
   * and cache lines, one per thread that gets at least MIN_PART_ELEMENTS.
   */
  elementRanges(n: number): [number, number][] {
    return split(n, this.threads, MIN_PART_ELEMENTS, 16);
  }

  /** Each of M rows of out[M, N] = row (a bias broadcast before a product adds into it). */
  fillRows(out: Tensor, row: Tensor, M: number, N: number): void {
    const [o, r] = [this.ptr(out), this.ptr(row)];
    this.pool.run(
      'fill_rows',
      this.rowRanges(M, N).map(([from, to]) => [o + from * N * 4, r, to - from, N]),
    );
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

  async destroy(): Promise<void> {
    this.gemm.destroy();
    await this.pool.destroy();
  }
}
