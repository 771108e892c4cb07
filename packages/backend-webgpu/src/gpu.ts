import { BackendUnavailableError } from '@saekit/core';

/** What to install when no adapter appears, for error messages and test skips. */
export const ADAPTER_HINT =
  'no WebGPU adapter found. On a machine without a GPU install Mesa >= 25 Vulkan drivers ' +
  '(Debian 12: `bash packages/backend-webgpu/scripts/install-mesa.sh`, which installs ' +
  'mesa-vulkan-drivers and libvulkan1 from bookworm-backports)';

export interface AcquiredDevice {
  readonly device: GPUDevice;
  /** The GPU object the device came from (process-wide in Node, see `dawnInstances`). */
  readonly gpu: GPU;
  readonly adapterInfo: AdapterDescription;
  readonly timestamps: boolean;
}

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** The adapter says it is a fallback (software) implementation; Chrome may blank the names. */
  readonly isFallbackAdapter: boolean;
  /** Subgroup sizes the adapter may use (0 or absent when it does not say). */
  readonly subgroupMinSize?: number;
  readonly subgroupMaxSize?: number;
}

export interface AcquireOptions {
  /** Prefer a high-performance or low-power adapter where the platform offers both. */
  readonly powerPreference?: GPUPowerPreference;
  /** Request 'timestamp-query' when the adapter has it (used for per-kernel timing). */
  readonly timestamps?: boolean;
  /** Extra Dawn flags for `create()` in Node, e.g. `['adapter=llvmpipe']`. */
  readonly dawnFlags?: readonly string[];
  /** Use subgroup operations when the adapter offers them (default true). */
  readonly subgroups?: boolean;
}

// Limits SAE weights need: the defaults (128 MiB bindings, 256 MiB buffers, 16 KiB workgroup
// storage) are smaller than what most adapters offer, so ask for everything offered.
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * One Dawn instance per set of flags for the life of the process. An instance is heavy and
 * meant to be shared; one made per backend and dropped at destroy() is torn down by the
 * garbage collector while Dawn's threads may still use it, which aborts the process
 * ("std::system_error: Invalid argument"), seen when several backends came and went in one
 * test file. Devices, not instances, keep Node alive, so pinning these does not.
 */
const dawnInstances = new Map<string, GPU>();

async function findGpu(dawnFlags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (err) {
    throw new BackendUnavailableError(
      'webgpu',
      `navigator.gpu is absent and the npm package 'webgpu' (Dawn for Node) could not be loaded: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  // Dawn's GPUBufferUsage / GPUMapMode / GPUShaderStage constants live in `globals`.
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const key = dawnFlags.join('\n');
  let gpu = dawnInstances.get(key);
  if (gpu === undefined) {
    gpu = mod.create([...dawnFlags]);
    dawnInstances.set(key, gpu);
  }
  return gpu;
}

/** The adapter a backend would run on, without creating a device (for the registry's probe). */
export async function probeAdapter(options: AcquireOptions = {}): Promise<AdapterDescription> {
  const { adapter } = await requestAdapter(options);
  return describeAdapter(adapter);
}

async function requestAdapter(options: AcquireOptions): Promise<{ gpu: GPU; adapter: GPUAdapter }> {
  const gpu = await findGpu(options.dawnFlags ?? []);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter(
      options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
    );
  } catch (err) {
    throw new BackendUnavailableError(
      'webgpu',
      `${ADAPTER_HINT} (requestAdapter failed: ${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!adapter) throw new BackendUnavailableError('webgpu', ADAPTER_HINT);
  return { gpu, adapter };
}

function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter:
      (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
    subgroupMinSize: info.subgroupMinSize ?? 0,
    subgroupMaxSize: info.subgroupMaxSize ?? 0,
  };
}

export async function acquireDevice(options: AcquireOptions = {}): Promise<AcquiredDevice> {
  // Dawn rounds timestamps to 100 µs unless told not to (Node only: browsers ignore flags).
  const dawnFlags = options.timestamps
    ? [...(options.dawnFlags ?? []), 'disable-dawn-features=timestamp_quantization']
    : options.dawnFlags;
  const { gpu, adapter } = await requestAdapter({ ...options, dawnFlags });
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const timestamps = options.timestamps === true && adapter.features.has('timestamp-query');
  const features: GPUFeatureName[] = timestamps ? ['timestamp-query'] : [];
  // Subgroup operations speed up reductions (gatherDot); kernels check device.features.
  if (options.subgroups !== false && adapter.features.has('subgroups')) {
    features.push('subgroups' as GPUFeatureName);
  }
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features });
  return { device, gpu, timestamps, adapterInfo: describeAdapter(adapter) };
}
