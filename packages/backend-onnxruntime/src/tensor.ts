import type { DType, HostArray, Tensor } from '@saekit/core';
import type { Heap } from './heap.js';

/**
 * A tensor: a block of the backend's heap (heap.ts). The SIMD kernels address it by `offset`;
 * ORT and the JavaScript kernels use `data`, a typed-array view re-derived whenever the heap
 * has grown (growing a WebAssembly.Memory detaches the old views). `data` has the shape of
 * core's CpuTensor, so the reference kernels this backend reuses run on it unchanged.
 */
export class OrtTensor implements Tensor {
  readonly backend = 'onnxruntime';
  readonly size: number;
  #view: HostArray | undefined;
  #disposed = false;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    size: number,
    readonly heap: Heap,
    readonly offset: number,
  ) {
    this.size = size;
  }

  /** The tensor's memory as a typed array; undefined once disposed. */
  get data(): HostArray | undefined {
    if (this.#disposed) return undefined;
    const buffer = this.heap.memory.buffer;
    if (this.#view === undefined || this.#view.buffer !== buffer) {
      this.#view =
        this.dtype === 'float32'
          ? new Float32Array(buffer, this.offset, this.size)
          : new Int32Array(buffer, this.offset, this.size);
    }
    return this.#view;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#view = undefined;
    this.heap.free(this.offset);
  }

  toString(): string {
    return `OrtTensor[${this.shape.join(', ')}] ${this.dtype}${this.#disposed ? ' (disposed)' : ''}`;
  }
}
