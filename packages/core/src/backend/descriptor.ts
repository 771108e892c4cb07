/**
 * What a backend runs on, for the registry's policy and for checking a config before
 * anything is allocated.
 * - 'gpu': a real accelerator.
 * - 'cpu-native': compiled or vectorised code on the host CPU (MLAS, XNNPACK, plain typed-array
 *   loops).
 * - 'cpu-emulated': a GPU API emulated on the CPU (llvmpipe, SwiftShader): correct, but
 *   slower than a native CPU backend, so `auto` passes over it unless asked.
 */
export type DeviceKind = 'gpu' | 'cpu-native' | 'cpu-emulated';

/** The order `resolve('auto')` prefers kinds in (lower first). */
export const KIND_RANK: Readonly<Record<DeviceKind, number>> = {
  gpu: 0,
  'cpu-native': 1,
  'cpu-emulated': 2,
};

/** Device limits a config is checked against; Infinity where the backend has none. */
export interface BackendLimits {
  /** Largest k a top-k row selection supports. */
  readonly maxTopK: number;
  /** Largest single tensor, in bytes. */
  readonly maxTensorBytes: number;
  /** Largest range one kernel binding can address, in bytes (a larger tensor is windowed). */
  readonly maxBindingBytes: number;
  /** Workgroup (shared) memory per workgroup, in bytes; 0 where the notion does not apply. */
  readonly maxWorkgroupMemoryBytes: number;
}

export const NO_LIMITS: BackendLimits = {
  maxTopK: Number.POSITIVE_INFINITY,
  maxTensorBytes: Number.POSITIVE_INFINITY,
  maxBindingBytes: Number.POSITIVE_INFINITY,
  maxWorkgroupMemoryBytes: 0,
};

export interface BackendDescriptor {
  /** The backend's registered name ('cpu', 'webgpu', 'tfjs', ...). */
  readonly name: string;
  /** The device in words, e.g. 'llvmpipe (LLVM 15.0.7, 256 bits)' or 'tfjs wasm (XNNPACK)'. */
  readonly device: string;
  readonly kind: DeviceKind;
  readonly limits: BackendLimits;
  /** Implementation variant that changes numerics or speed (e.g. a kernel set), if any. */
  readonly variant?: string;
}
