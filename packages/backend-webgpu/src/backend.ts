import {
  type AdamOptions,
  type Backend,
  type BackendFactory,
  type DType,
  type HostArray,
  type MatmulOptions,
  type ReduceOp,
  type Scale,
  ShapeError,
  shapeSize,
  type Tensor,
} from '@saekit/core';
import { type AcquireOptions, type AdapterDescription, acquireDevice } from './gpu.js';
import { gpu } from './kernels/common.js';
import * as k from './kernels/index.js';
import { GpuRuntime } from './runtime.js';
import { GpuTensor } from './tensor.js';

export interface WebGpuBackendOptions extends AcquireOptions {
  /**
   * Time every dispatch with timestamp queries (one compute pass per dispatch, so slower);
   * read the split with `kernelTimes()`. Ignored when the adapter lacks 'timestamp-query'.
   */
  readonly profile?: boolean;
  /** Use this device instead of requesting one (the backend then owns and destroys it). */
  readonly device?: GPUDevice;
  /**
   * Kernel variants: 'gpu' (workgroup tiles, radix select), 'software' (barrier-free
   * variants for CPU adapters such as llvmpipe), or 'auto' (default: by the adapter).
   */
  readonly kernels?: 'auto' | 'gpu' | 'software';
}

/** The @saekit/core Backend contract in WGSL compute shaders. */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly #rt: GpuRuntime;
  #destroyed = false;

  constructor(
    device: GPUDevice,
    /** The adapter this backend runs on (vendor, architecture, device, description). */
    readonly adapter: AdapterDescription,
    /** Whether per-kernel GPU timings are collected (timestamp queries). */
    readonly profiling: boolean,
    kernels: 'auto' | 'gpu' | 'software' = 'auto',
  ) {
    const software = kernels === 'auto' ? isSoftware(adapter) : kernels === 'software';
    this.#rt = new GpuRuntime(device, profiling, software);
  }

  get device(): GPUDevice {
    return this.#rt.device;
  }

  /** The largest k `topk` supports on this adapter (workgroup storage bound). */
  get maxTopk(): number {
    return k.maxTopk(this.#rt);
  }

  /** Whether the barrier-free kernel variants for CPU adapters are in use. */
  get softwareKernels(): boolean {
    return this.#rt.software;
  }

  /**
   * Dispatches so far per kernel, keyed `kernel:path` for kernels with several implementations
   * (topk 'row-scan' / 'radix', matmul 'tiled' / 'blocked', normalizeRows and removeParallel
   * 'workgroup' / 'row'): what the conformance suite's path check reads.
   */
  kernelPaths(): ReadonlyMap<string, number> {
    return new Map(this.#rt.paths);
  }

  /** Dispatches encoded so far. */
  get dispatchCount(): number {
    return this.#rt.dispatchCount;
  }

  // ---- memory ---------------------------------------------------------------------------

  create(shape: readonly number[], dtype: DType = 'float32', data?: HostArray): Tensor {
    for (const s of shape) {
      if (!(Number.isInteger(s) && s >= 0)) {
        throw new ShapeError(`webgpu create: bad shape [${shape.join(', ')}]`);
      }
    }
    const size = shapeSize(shape);
    const bytes = size * 4;
    if (bytes > this.#rt.maxBuffer) {
      throw new ShapeError(
        `webgpu create: a [${shape.join(', ')}] ${dtype} tensor needs ${mib(bytes)} MiB, more than ` +
          `this adapter's maxBufferSize (${mib(this.#rt.maxBuffer)} MiB): use a smaller shape or another backend`,
      );
    }
    const { buffer, fresh } = this.#rt.pool.acquire(bytes);
    const t = new GpuTensor([...shape], dtype, size, buffer);
    if (data) this.write(t, data);
    else if (!fresh) this.#rt.encoderForCopy().clearBuffer(buffer);
    return t;
  }

  write(tensor: Tensor, data: HostArray): void {
    const t = gpu(tensor, 'write', 'tensor');
    if (data.length !== t.size) {
      throw new ShapeError(
        `webgpu write: ${data.length} values for a [${t.shape.join(', ')}] tensor (${t.size})`,
      );
    }
    const want = t.dtype === 'float32' ? Float32Array : Int32Array;
    const typed = data instanceof want ? data : want.from(data as ArrayLike<number>);
    this.#rt.upload(t.buffer, typed);
  }

  async read(tensor: Tensor): Promise<HostArray> {
    const t = gpu(tensor, 'read', 'tensor');
    if (t.size === 0) return t.dtype === 'float32' ? new Float32Array(0) : new Int32Array(0);
    const bytes = await this.#rt.readBytes(t.buffer, t.byteLength);
    return t.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
  }

  dispose(tensor: Tensor): void {
    if (!(tensor instanceof GpuTensor)) return;
    const b = tensor.release();
    if (b && !this.#destroyed) this.#rt.pool.release(b);
  }

  flush(): void {
    this.#rt.flush();
  }

  /** Waits until the GPU finished everything submitted; throws device errors seen so far. */
  async sync(): Promise<void> {
    await this.#rt.sync();
  }

  /** GPU milliseconds per kernel since the last call (needs `profile: true`). */
  async kernelTimes(): Promise<Record<string, number>> {
    return this.#rt.kernelTimes();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#rt.destroy();
  }

  // ---- kernels --------------------------------------------------------------------------

  fill(out: Tensor, value: number): void {
    k.fill(this.#rt, out, value);
  }
  copy(out: Tensor, src: Tensor): void {
    k.copy(this.#rt, out, src);
  }
  matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void {
    k.matmul(this.#rt, out, a, b, options);
  }
  topk(values: Tensor, indices: Tensor, scores: Tensor, mask?: Tensor): void {
    k.topk(this.#rt, values, indices, scores, mask);
  }
  kthLargest(out: Tensor, offset: number, x: Tensor, n: number): void {
    k.kthLargest(this.#rt, out, offset, x, n);
  }
  gatherSum(out: Tensor, values: Tensor, indices: Tensor, weight: Tensor, bias?: Tensor): void {
    k.gatherSum(this.#rt, out, values, indices, weight, bias);
  }
  gatherDot(out: Tensor, x: Tensor, indices: Tensor, weight: Tensor): void {
    k.gatherDot(this.#rt, out, x, indices, weight);
  }
  scatterOuterAdd(weight: Tensor, indices: Tensor, values: Tensor, x: Tensor): void {
    k.scatterOuterAdd(this.#rt, weight, indices, values, x);
  }
  scatterAdd(out: Tensor, indices: Tensor, values: Tensor): void {
    k.scatterAdd(this.#rt, out, indices, values);
  }
  columnSums(out: Tensor, x: Tensor, accumulate?: boolean): void {
    k.columnSums(this.#rt, out, x, accumulate);
  }
  reduce(out: Tensor, offset: number, x: Tensor, op: ReduceOp, accumulate?: boolean): void {
    k.reduce(this.#rt, out, offset, x, op, accumulate);
  }
  axpby(out: Tensor, a: Scale, x: Tensor, b: Scale, y: Tensor): void {
    k.axpby(this.#rt, out, a, x, b, y);
  }
  maskPositive(out: Tensor, grad: Tensor, ref: Tensor): void {
    k.maskPositive(this.#rt, out, grad, ref);
  }
  greaterThan(out: Tensor, x: Tensor, threshold: number): void {
    k.greaterThan(this.#rt, out, x, threshold);
  }
  thresholdRelu(out: Tensor, x: Tensor, threshold: Tensor, index?: number): void {
    k.thresholdRelu(this.#rt, out, x, threshold, index);
  }
  staleCounter(counter: Tensor, fired: Tensor, increment: number): void {
    k.staleCounter(this.#rt, counter, fired, increment);
  }
  adam(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
    k.adam(this.#rt, param, grad, m, v, options);
  }
  normalizeRows(weight: Tensor): void {
    k.normalizeRows(this.#rt, weight);
  }
  removeParallel(grad: Tensor, weight: Tensor): void {
    k.removeParallel(this.#rt, grad, weight);
  }
}

/** CPU implementations of WebGPU, where barriers and workgroup atomics are expensive. */
function isSoftware(a: AdapterDescription): boolean {
  return (
    a.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader/i.test(`${a.device} ${a.description}`)
  );
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Creates a WebGPU backend; throws BackendUnavailableError when no adapter is found. */
export async function createWebGpuBackend(
  options: WebGpuBackendOptions = {},
): Promise<WebGpuBackend> {
  if (options.device) {
    const empty = { vendor: '', architecture: '', device: '', description: 'caller-provided' };
    return new WebGpuBackend(options.device, empty, false, options.kernels);
  }
  const acquired = await acquireDevice({ ...options, timestamps: options.profile === true });
  return new WebGpuBackend(
    acquired.device,
    acquired.adapterInfo,
    acquired.timestamps,
    options.kernels,
  );
}

/** Registry factory: tried before tfjs (50) and cpu (0). */
export const webgpuBackend: BackendFactory<WebGpuBackendOptions> = {
  name: 'webgpu',
  priority: 100,
  create: (options?: WebGpuBackendOptions) => createWebGpuBackend(options),
};
