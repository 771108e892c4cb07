import type { AdamOptions, Backend, MatmulOptions, ReduceOp } from '../../backend/backend.js';
import type { Scale } from '../../backend/scale.js';
import type { DType, HostArray, Tensor } from '../../backend/tensor.js';
import { ShapeError } from '../../errors.js';
import { CpuContext } from './context.js';
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
import { CpuTensor } from './tensor.js';

/**
 * The reference backend: plain TypeScript on typed arrays, synchronous, deterministic (same
 * inputs give bit-identical outputs). Each kernel lives in its own file under kernels/; this
 * class only owns memory and forwards.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly #ctx = new CpuContext();

  create(shape: readonly number[], dtype: DType = 'float32', data?: HostArray): CpuTensor {
    if (this.#ctx.destroyed) throw new ShapeError('create: the cpu backend has been destroyed');
    if (dtype !== 'float32' && dtype !== 'int32') {
      throw new ShapeError(`create: dtype '${String(dtype)}' is not float32 or int32`);
    }
    for (const [i, s] of shape.entries()) {
      if (!Number.isInteger(s) || s < 0) {
        throw new ShapeError(
          `create: shape[${i}] = ${s} in [${shape.join(', ')}] is not a non-negative integer`,
        );
      }
    }
    let size = 1;
    for (const s of shape) size *= s;
    let array: HostArray;
    if (data === undefined) {
      array = dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
    } else {
      checkHost('create', 'data', dtype, size, data);
      array = dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
    }
    return new CpuTensor(Object.freeze([...shape]), dtype, array, this.#ctx);
  }

  write(tensor: Tensor, data: HostArray): void {
    const t = this.#ctx.tensor(tensor, 'write', 'tensor');
    checkHost('write', 'data', t.dtype, t.size, data);
    t.data!.set(data);
  }

  async read(tensor: Tensor): Promise<HostArray> {
    return this.#ctx.tensor(tensor, 'read', 'tensor').data!.slice();
  }

  dispose(tensor: Tensor): void {
    this.#ctx.tensor(tensor, 'dispose', 'tensor').dispose();
  }

  flush(): void {}

  destroy(): void {
    this.#ctx.destroy();
  }

  fill(out: Tensor, value: number): void {
    fill(this.#ctx, out, value);
  }
  copy(out: Tensor, src: Tensor): void {
    copy(this.#ctx, out, src);
  }
  matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void {
    matmul(this.#ctx, out, a, b, options);
  }
  topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
    topk(this.#ctx, values, indices, scores, mask);
  }
  kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
    kthLargest(this.#ctx, out, offset, x, n);
  }
  gatherSum(out: Tensor, values: Tensor, indices: Tensor, weight: Tensor, bias?: Tensor): void {
    gatherSum(this.#ctx, out, values, indices, weight, bias);
  }
  gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
    gatherDot(this.#ctx, out, x, indices, weight);
  }
  scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
    scatterOuterAdd(this.#ctx, weight, indices, values, x);
  }
  scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
    scatterAdd(this.#ctx, out, indices, values);
  }
  columnSums(out: Tensor, x: Tensor, accumulate?: boolean): void {
    columnSums(this.#ctx, out, x, accumulate);
  }
  reduce(out: Tensor, offset: number, x: Tensor, op: ReduceOp, accumulate?: boolean): void {
    reduce(this.#ctx, out, offset, x, op, accumulate);
  }
  axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
    axpby(this.#ctx, out, a, x, b, y);
  }
  maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
    maskPositive(this.#ctx, out, grad, ref);
  }
  greaterThan(out: Tensor, x: Tensor, threshold: number): void {
    greaterThan(this.#ctx, out, x, threshold);
  }
  thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
    thresholdRelu(this.#ctx, out, x, threshold, index);
  }
  staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
    staleCounter(this.#ctx, counter, fired, increment);
  }
  adam(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
    adam(this.#ctx, param, grad, m, v, options);
  }
  normalizeRows(weight: Tensor): void {
    normalizeRows(this.#ctx, weight);
  }
  removeParallel(grad: Tensor, weight: Tensor): void {
    removeParallel(this.#ctx, grad, weight);
  }
}

function checkHost(op: string, arg: string, dtype: DType, size: number, data: HostArray): void {
  const want = dtype === 'float32' ? Float32Array : Int32Array;
  if (!(data instanceof want)) {
    throw new ShapeError(`${op}: ${arg} must be a ${want.name} for a ${dtype} tensor`);
  }
  if (data.length !== size) {
    throw new ShapeError(`${op}: ${arg} has ${data.length} elements, the tensor has ${size}`);
  }
}
