import {
  type Backend,
  type DType,
  type HostArray,
  SaekitError,
  ShapeError,
  type Tensor,
} from '@saekit/core';
import { own } from './check.js';
import { adam } from './kernels/adam.js';
import { axpby } from './kernels/axpby.js';
import { columnSums } from './kernels/column-sums.js';
import { copy } from './kernels/copy.js';
import { fill } from './kernels/fill.js';
import { gatherDot } from './kernels/gather-dot.js';
import { gatherSum } from './kernels/gather-sum.js';
import { greaterThan } from './kernels/greater-than.js';
import { kthLargest } from './kernels/kth-largest.js';
import { maskPositive } from './kernels/mask-positive.js';
import { matmul } from './kernels/matmul.js';
import { normalizeRows } from './kernels/normalize-rows.js';
import { reduce } from './kernels/reduce.js';
import { removeParallel } from './kernels/remove-parallel.js';
import { scatterAdd } from './kernels/scatter-add.js';
import { scatterOuterAdd } from './kernels/scatter-outer-add.js';
import { staleCounter } from './kernels/stale-counter.js';
import { thresholdRelu } from './kernels/threshold-relu.js';
import { topk } from './kernels/topk.js';
import { allocate, BACKEND_NAME, NaiveTensor } from './tensor.js';

/**
 * A Backend in the plainest form: tensors are typed arrays in host memory and every kernel
 * is a loop over them (one file each under ./kernels). Memory calls live here; kernels are
 * wired in as fields, so `backend.matmul(...)` is the kernel function itself.
 */
export class NaiveBackend implements Backend {
  readonly name = BACKEND_NAME;
  readonly #live = new Set<NaiveTensor>();
  #destroyed = false;

  create(shape: readonly number[], dtype: DType = 'float32', data?: HostArray): Tensor {
    this.#assertAlive();
    for (const s of shape) {
      if (!Number.isInteger(s) || s < 0) {
        throw new ShapeError(`naive.create: bad shape [${shape.join(', ')}]`);
      }
    }
    const t = new NaiveTensor(
      [...shape],
      dtype,
      allocate(
        dtype,
        shape.reduce((a, b) => a * b, 1),
      ),
    );
    if (data !== undefined) this.write(t, data);
    this.#live.add(t);
    return t;
  }

  write(tensor: Tensor, data: HostArray): void {
    const t = own('write', 'tensor', tensor);
    if (data.length !== t.size) {
      throw new ShapeError(
        `naive.write: ${data.length} values for a tensor of ${t.size} ([${t.shape.join(', ')}])`,
      );
    }
    t.data.set(data);
  }

  async read(tensor: Tensor): Promise<HostArray> {
    const t = own('read', 'tensor', tensor);
    // A copy, so the caller can keep it while kernels keep writing the tensor.
    return t.data.slice();
  }

  dispose(tensor: Tensor): void {
    const t = own('dispose', 'tensor', tensor);
    t.release();
    this.#live.delete(t);
  }

  /** Nothing is queued: every kernel ran when it was called. */
  flush(): void {}

  destroy(): void {
    for (const t of this.#live) t.release();
    this.#live.clear();
    this.#destroyed = true;
  }

  /** Tensors created and not yet disposed (a leak check for tests). */
  get liveTensors(): number {
    return this.#live.size;
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new SaekitError('naive: backend used after destroy()');
  }

  readonly fill = fill;
  readonly copy = copy;
  readonly matmul = matmul;
  readonly topk = topk;
  readonly kthLargest = kthLargest;
  readonly gatherSum = gatherSum;
  readonly gatherDot = gatherDot;
  readonly scatterOuterAdd = scatterOuterAdd;
  readonly scatterAdd = scatterAdd;
  readonly columnSums = columnSums;
  readonly reduce = reduce;
  readonly axpby = axpby;
  readonly maskPositive = maskPositive;
  readonly greaterThan = greaterThan;
  readonly thresholdRelu = thresholdRelu;
  readonly staleCounter = staleCounter;
  readonly adam = adam;
  readonly normalizeRows = normalizeRows;
  readonly removeParallel = removeParallel;
}
