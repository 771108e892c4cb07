import {
  type AdamOptions,
  type Backend,
  type DType,
  type HostArray,
  type MatmulOptions,
  type ReduceOp,
  type Scale,
  ShapeError,
  shapeSize,
  type Tensor,
} from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsChoice } from './choose.js';
import { BACKEND_NAME, TfjsTensor, unwrap } from './handle.js';
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

/**
 * The saekit Backend on TensorFlow.js: memory is tf.Tensors behind mutable handles, and each
 * kernel (one file each under kernels/) is a tf.tidy over tfjs ops. tfjs's engine is global,
 * so every call first makes this backend's tfjs backend the active one (a no-op unless two
 * saekit tfjs backends on different tfjs backends share a process).
 */
export class TfjsBackend implements Backend {
  readonly name = BACKEND_NAME;
  readonly #live = new Set<TfjsTensor>();
  #destroyed = false;

  constructor(readonly choice: TfjsChoice) {}

  /** The tfjs backend the kernels run on: 'tensorflow', 'wasm' or 'cpu'. */
  get tfjsBackend(): TfjsChoice['kind'] {
    return this.choice.kind;
  }

  /** Tensors this backend holds now (not counting tfjs's own caches). */
  get liveTensors(): number {
    return this.#live.size;
  }

  // ---- memory ---------------------------------------------------------------------------
  create(shape: readonly number[], dtype: DType = 'float32', data?: HostArray): Tensor {
    this.#use();
    for (const s of shape) {
      if (!Number.isInteger(s) || s < 0) throw new ShapeError(`create: bad shape [${shape}]`);
    }
    const size = shapeSize(shape);
    if (data !== undefined && data.length !== size) {
      throw new ShapeError(
        `create: data has ${data.length} elements, shape [${shape}] needs ${size}`,
      );
    }
    const value =
      data === undefined
        ? tf.zeros([...shape], dtype)
        : tf.tensor(hostAs(data, dtype), [...shape], dtype);
    const t = new TfjsTensor(shape, dtype, value);
    this.#live.add(t);
    return t;
  }

  write(tensor: Tensor, data: HostArray): void {
    this.#use();
    const t = unwrap(tensor, 'write', 'tensor');
    if (data.length !== t.size) {
      throw new ShapeError(
        `write: data has ${data.length} elements, tensor [${t.shape}] needs ${t.size}`,
      );
    }
    t.assign(tf.tensor(hostAs(data, t.dtype), [...t.shape], t.dtype));
  }

  async read(tensor: Tensor): Promise<HostArray> {
    this.#use();
    const t = unwrap(tensor, 'read', 'tensor');
    const data = await t.value.data();
    // tfjs may hand back its own backing store (cpu backend): copy so callers can't corrupt it.
    return t.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
  }

  dispose(tensor: Tensor): void {
    if (!(tensor instanceof TfjsTensor)) return;
    tensor.release();
    this.#live.delete(tensor);
  }

  flush(): void {}

  destroy(): void {
    for (const t of this.#live) t.release();
    this.#live.clear();
    this.#destroyed = true;
  }

  // ---- kernels (thin: each lives in kernels/<name>.ts) -----------------------------------
  fill(out: Tensor, value: number): void {
    this.#use();
    fill(out, value);
  }
  copy(out: Tensor, src: Tensor): void {
    this.#use();
    copy(out, src);
  }
  matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void {
    this.#use();
    matmul(out, a, b, options);
  }
  topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
    this.#use();
    topk(values, indices, scores, mask);
  }
  kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
    this.#use();
    kthLargest(out, offset, x, n);
  }
  gatherSum(out: Tensor, values: Tensor, indices: Tensor, weight: Tensor, bias?: Tensor): void {
    this.#use();
    gatherSum(out, values, indices, weight, bias);
  }
  gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
    this.#use();
    gatherDot(out, x, indices, weight);
  }
  scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
    this.#use();
    scatterOuterAdd(weight, indices, values, x);
  }
  scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
    this.#use();
    scatterAdd(out, indices, values);
  }
  columnSums(out: Tensor, x: Tensor, accumulate?: boolean): void {
    this.#use();
    columnSums(out, x, accumulate);
  }
  reduce(out: Tensor, offset: number, x: Tensor, op: ReduceOp, accumulate?: boolean): void {
    this.#use();
    reduce(out, offset, x, op, accumulate);
  }
  axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
    this.#use();
    axpby(out, a, x, b, y);
  }
  maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
    this.#use();
    maskPositive(out, grad, ref);
  }
  greaterThan(out: Tensor, x: Tensor, threshold: number): void {
    this.#use();
    greaterThan(out, x, threshold);
  }
  thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
    this.#use();
    thresholdRelu(out, x, threshold, index);
  }
  staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
    this.#use();
    staleCounter(counter, fired, increment);
  }
  adam(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
    this.#use();
    adam(param, grad, m, v, options);
  }
  normalizeRows(weight: Tensor): void {
    this.#use();
    normalizeRows(weight);
  }
  removeParallel(grad: Tensor, weight: Tensor): void {
    this.#use();
    removeParallel(grad, weight);
  }

  #use(): void {
    if (this.#destroyed) throw new ShapeError('tfjs: backend used after destroy()');
    // setBackend on an already-started backend completes synchronously.
    if (tf.getBackend() !== this.choice.kind) void tf.setBackend(this.choice.kind);
  }
}

/** A private copy in the tensor's dtype: tfjs's cpu backend keeps the array it is given. */
function hostAs(data: HostArray, dtype: DType): HostArray {
  return dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
}
