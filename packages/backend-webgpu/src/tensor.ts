import { type DType, SaekitError, type Tensor } from '@saekit/core';

/** A tensor living in one GPU storage buffer (possibly larger than the tensor: pooled). */
export class GpuTensor implements Tensor {
  readonly backend = 'webgpu';
  #buffer: GPUBuffer | null;
  /** Bumped by every encoded write, so derived data (scatter lists) knows when it is stale. */
  #version = 0;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly size: number,
    buffer: GPUBuffer,
    /** The runtime (one per backend instance) whose pool the buffer came from. */
    readonly owner: object,
  ) {
    this.#buffer = buffer;
  }

  /** Bytes the tensor's elements occupy (both dtypes are 4 bytes wide). */
  get byteLength(): number {
    return this.size * 4;
  }

  get version(): number {
    return this.#version;
  }

  /** Records that work writing this tensor was encoded. */
  touch(): void {
    this.#version++;
  }

  get disposed(): boolean {
    return this.#buffer === null;
  }

  get buffer(): GPUBuffer {
    if (this.#buffer === null) throw new SaekitError('webgpu: tensor used after dispose()');
    return this.#buffer;
  }

  /** Detaches the buffer (for the pool) and marks the tensor unusable. */
  release(): GPUBuffer | null {
    const b = this.#buffer;
    this.#buffer = null;
    return b;
  }
}
