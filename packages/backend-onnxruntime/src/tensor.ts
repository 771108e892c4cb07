import type { DType, HostArray, Tensor } from '@saekit/core';

/**
 * A tensor in host memory: a typed array ORT reads and writes in place (a session's fetches
 * are built over it) and the JavaScript kernels loop over. `owner` ties it to one backend
 * instance. The `data` accessor has the shape of core's CpuTensor, so the reference kernels
 * this backend reuses run on it unchanged.
 */
export class OrtTensor implements Tensor {
  readonly backend = 'onnxruntime';
  readonly size: number;
  #data: HostArray | undefined;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    data: HostArray,
    readonly owner: object,
  ) {
    this.size = data.length;
    this.#data = data;
  }

  /** The backing array; undefined once disposed. */
  get data(): HostArray | undefined {
    return this.#data;
  }

  get disposed(): boolean {
    return this.#data === undefined;
  }

  dispose(): void {
    this.#data = undefined;
  }

  toString(): string {
    return `OrtTensor[${this.shape.join(', ')}] ${this.dtype}${this.disposed ? ' (disposed)' : ''}`;
  }
}
