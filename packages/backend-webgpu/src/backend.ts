import {
  type Backend,
  type BackendDescriptor,
  type BackendFactory,
  type BackendMemory,
  type BackendProbe,
  BackendUnavailableError,
  bindKernels,
  type DType,
  defineBackend,
  type HostArray,
  type Tensor,
} from '@saekit/core';
import {
  type AcquireOptions,
  type AdapterDescription,
  acquireDevice,
  probeAdapter,
} from './gpu.js';
import { maxTopk, WEBGPU_KERNELS } from './kernels/index.js';
import { GpuRuntime, type RuntimeStats } from './runtime.js';
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

/** What the WebGPU backend adds to the contract: its device and diagnostics. */
export interface WebGpuExtras {
  readonly device: GPUDevice;
  /** The adapter this backend runs on (vendor, architecture, device, description). */
  readonly adapter: AdapterDescription;
  /** Whether per-kernel GPU timings are collected (timestamp queries). */
  readonly profiling: boolean;
  /** Whether the barrier-free kernel variants for CPU adapters are in use. */
  readonly softwareKernels: boolean;
  /** Dispatches encoded so far. */
  readonly dispatchCount: number;
  /**
   * Dispatches so far per kernel, keyed `kernel:path` for kernels with several implementations
   * (topk 'row-scan' / 'radix' / 'two-pass' + 'overflow'; matmul 'subgroup' / 'tiled' /
   * 'blocked' / 'gemv', split-K as 'subgroup-split-k' / 'split-k'; normalizeRows and
   * removeParallel 'workgroup' / 'row'): what the conformance suite's path check reads.
   */
  kernelPaths(): ReadonlyMap<string, number>;
  /** Dispatches, bind groups and pipelines created, and submits so far (host-side cost). */
  readonly stats: RuntimeStats;
  /** Waits until the GPU finished everything submitted; throws device errors seen so far. */
  sync(): Promise<void>;
  /** GPU milliseconds per kernel since the last call (needs `profile: true`). */
  kernelTimes(): Promise<Record<string, number>>;
}

export type WebGpuBackend = Backend & WebGpuExtras;

/** The @saekit/core Backend contract in WGSL compute shaders: memory is pooled GPU buffers. */
export function defineWebGpuBackend(
  device: GPUDevice,
  adapter: AdapterDescription,
  profiling: boolean,
  kernels: 'auto' | 'gpu' | 'software' = 'auto',
): WebGpuBackend {
  const emulated = isEmulated(adapter);
  const software = kernels === 'auto' ? emulated : kernels === 'software';
  const rt = new GpuRuntime(device, profiling, software, {
    min: adapter.subgroupMinSize ?? 0,
    max: adapter.subgroupMaxSize ?? 0,
  });
  let destroyed = false;
  const memory: BackendMemory = {
    create(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
      const size = shape.reduce((a, s) => a * s, 1);
      const { buffer, fresh } = rt.pool.acquire(size * 4);
      const t = new GpuTensor([...shape], dtype, size, buffer, rt);
      t.touch();
      if (data) rt.upload(buffer, data);
      else if (!fresh) rt.copies((enc) => enc.clearBuffer(buffer));
      return t;
    },
    write(tensor: Tensor, data: HostArray): void {
      const t = tensor as GpuTensor;
      t.touch();
      rt.upload(t.buffer, data);
    },
    async read(tensor: Tensor): Promise<HostArray> {
      const t = tensor as GpuTensor;
      if (t.size === 0) return t.dtype === 'float32' ? new Float32Array(0) : new Int32Array(0);
      const bytes = await rt.readBytes(t.buffer, t.byteLength);
      return t.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
    },
    dispose(tensor: Tensor): void {
      const b = (tensor as GpuTensor).release();
      if (b && !destroyed) rt.pool.release(b);
    },
    status: (t) =>
      !(t instanceof GpuTensor) || t.owner !== rt ? 'foreign' : t.disposed ? 'disposed' : 'usable',
    flush: () => rt.flush(),
    destroy(): void {
      destroyed = true;
      rt.destroy();
    },
  };
  const descriptor: BackendDescriptor = {
    name: 'webgpu',
    device: adapterName(adapter),
    kind: emulated ? 'cpu-emulated' : 'gpu',
    limits: {
      maxTopK: maxTopk(rt),
      maxTensorBytes: rt.maxBuffer,
      maxBindingBytes: rt.maxBinding,
      maxWorkgroupMemoryBytes: rt.maxWorkgroupStorage,
    },
    variant: software ? 'software' : 'gpu',
  };
  return defineBackend(
    { descriptor, memory, kernels: bindKernels(rt, WEBGPU_KERNELS) },
    {
      device,
      adapter,
      profiling,
      softwareKernels: software,
      get dispatchCount() {
        return rt.dispatchCount;
      },
      get stats() {
        return rt.stats;
      },
      kernelPaths: () => new Map(rt.paths),
      sync: () => rt.sync(),
      kernelTimes: () => rt.kernelTimes(),
    },
  );
}

/**
 * A CPU implementation of WebGPU (llvmpipe, lavapipe, SwiftShader): correct but slower than a
 * native CPU backend, and barriers and workgroup atomics are expensive there.
 */
function isEmulated(a: AdapterDescription): boolean {
  return (
    a.isFallbackAdapter ||
    a.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader/i.test(`${a.device} ${a.description}`)
  );
}

function adapterName(a: AdapterDescription): string {
  return (
    [a.description || a.device, a.vendor && `(${a.vendor})`].filter(Boolean).join(' ') ||
    'unnamed adapter'
  );
}

/** Creates a WebGPU backend; throws BackendUnavailableError when no adapter is found. */
export async function createWebGpuBackend(
  options: WebGpuBackendOptions = {},
): Promise<WebGpuBackend> {
  if (options.device) {
    const caller: AdapterDescription = {
      vendor: '',
      architecture: '',
      device: '',
      description: 'caller-provided device',
      isFallbackAdapter: false,
    };
    return defineWebGpuBackend(options.device, caller, false, options.kernels);
  }
  const acquired = await acquireDevice({ ...options, timestamps: options.profile === true });
  return defineWebGpuBackend(
    acquired.device,
    acquired.adapterInfo,
    acquired.timestamps,
    options.kernels,
  );
}

/** Registry factory: a real GPU is preferred over every CPU backend; llvmpipe is emulated. */
export const webgpuBackend: BackendFactory<WebGpuBackendOptions> = {
  name: 'webgpu',
  priority: 100,
  async probe(): Promise<BackendProbe> {
    // Only the adapter: no device is created (Dawn's instance is process-wide, see gpu.ts).
    try {
      const a = await probeAdapter();
      return { ok: true, kind: isEmulated(a) ? 'cpu-emulated' : 'gpu', device: adapterName(a) };
    } catch (err) {
      const reason = err instanceof BackendUnavailableError ? err.reason : String(err);
      return { ok: false, reason };
    }
  },
  create: (options?: WebGpuBackendOptions) => createWebGpuBackend(options),
};
