import { type DType, SaekitError, ShapeError, shapeSize, type Tensor } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';

export const BACKEND_NAME = 'tfjs';

/**
 * A saekit tensor on tfjs. tf.Tensor is immutable, so the handle is the mutable part: a
 * kernel computes the new value inside tf.tidy, swaps it in and disposes the old one. The
 * handle's shape is fixed for its life; the wrapped tensor always has exactly that shape.
 */
export class TfjsTensor implements Tensor {
  readonly backend = BACKEND_NAME;
  readonly size: number;
  #value: tf.Tensor | null;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    value: tf.Tensor,
  ) {
    this.size = shapeSize(shape);
    this.#value = value;
  }

  get disposed(): boolean {
    return this.#value === null;
  }

  /** The wrapped tf.Tensor; throws once the handle is disposed. */
  get value(): tf.Tensor {
    if (this.#value === null)
      throw new SaekitError(`tfjs: tensor [${this.shape}] used after dispose`);
    return this.#value;
  }

  /** Swaps in `next` (which must have this handle's shape and dtype) and frees the old value. */
  assign(next: tf.Tensor): void {
    const old = this.value;
    if (next === old) return;
    if (next.dtype !== this.dtype || next.size !== this.size) {
      next.dispose();
      throw new ShapeError(
        `tfjs: internal error, kernel result ${next.dtype}[${next.shape}] does not fit ${this.dtype}[${this.shape}]`,
      );
    }
    this.#value =
      next.shape.length === this.shape.length && next.shape.every((s, i) => s === this.shape[i])
        ? next
        : reshapeOwned(next, this.shape);
    old.dispose();
  }

  release(): void {
    this.#value?.dispose();
    this.#value = null;
  }
}

function reshapeOwned(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const r = tf.reshape(t, [...shape]);
  t.dispose();
  return r;
}

/** The handle behind a saekit tensor that core has already validated as one of this backend's. */
export function handle(t: Tensor): TfjsTensor {
  return t as TfjsTensor;
}
