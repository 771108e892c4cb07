import type { DType, HostArray, Tensor } from '../../backend/tensor.js';

/**
 * A cpu tensor: a typed array plus its shape. `owner` ties it to the backend instance that made
 * it, so a tensor from another backend (or another cpu backend) is refused by name instead of
 * silently mixing memory pools.
 */
export class CpuTensor implements Tensor {
  readonly backend = 'cpu';
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
    return `CpuTensor[${this.shape.join(', ')}] ${this.dtype}${this.disposed ? ' (disposed)' : ''}`;
  }
}
