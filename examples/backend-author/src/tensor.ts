import { type DType, type HostArray, SaekitError, shapeSize, type Tensor } from '@saekit/core';

export const BACKEND_NAME = 'naive';

/**
 * The naive backend's tensor: a shape plus a plain typed array in host memory. Core only
 * sees the `Tensor` interface; kernels reach the array through `dataOf`.
 */
export class NaiveTensor implements Tensor {
  readonly backend = BACKEND_NAME;
  readonly size: number;
  #data: HostArray | undefined;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    data: HostArray,
  ) {
    this.size = shapeSize(shape);
    this.#data = data;
  }

  /** The storage; throws once the tensor (or its backend) has been disposed. */
  get data(): HostArray {
    if (this.#data === undefined) {
      throw new SaekitError(`naive: tensor [${this.shape.join(', ')}] was used after dispose`);
    }
    return this.#data;
  }

  get disposed(): boolean {
    return this.#data === undefined;
  }

  release(): void {
    this.#data = undefined;
  }
}

export function allocate(dtype: DType, size: number): HostArray {
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}
