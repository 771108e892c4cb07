export type { ContextKernel, ContextKernels } from './bind-kernels.js';
export { bindKernels } from './bind-kernels.js';
export type { Backend, BackendImpl, BackendMemory } from './define-backend.js';
export { defineBackend } from './define-backend.js';
export type { BackendDescriptor, BackendLimits, DeviceKind } from './descriptor.js';
export { KIND_RANK, NO_LIMITS } from './descriptor.js';
export type { KernelSpec } from './kernel-specs.js';
export { KERNEL_NAMES, KERNEL_SPECS } from './kernel-specs.js';
export type {
  AdamOptions,
  KernelName,
  KernelSignatures,
  KernelTable,
  MatmulOptions,
  ReduceOp,
} from './kernels.js';
export { REDUCE_OPS } from './kernels.js';
export type { ArgSpec, TensorStatus } from './validate.js';
export { ArgChecker } from './validate.js';
