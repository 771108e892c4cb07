export type {
  AdamOptions,
  Backend,
  KernelName,
  MatmulOptions,
  ReduceOp,
} from './backend/backend.js';
export { KERNEL_NAMES } from './backend/backend.js';
export type { BackendFactory, ResolvedBackend } from './backend/registry.js';
export { BackendRegistry } from './backend/registry.js';
export type { DeviceScale, Scale } from './backend/scale.js';
export { resolveScale } from './backend/scale.js';
export type { DType, HostArray, Tensor } from './backend/tensor.js';
export { asMatrix, shapeSize } from './backend/tensor.js';
// ---- reference cpu backend (owner: cpu) ----
export {
  CpuBackend,
  CpuTensor,
  cpuBackend,
  createCpuBackend,
  createDefaultRegistry,
} from './backends/cpu/index.js';
export * from './errors.js';
export type { Architecture, SaeWeights } from './sae/weights.js';
export type { Json, JsonObject, TrainingState } from './train/state.js';
export { Rng } from './util/rng.js';
