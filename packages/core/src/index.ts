export * from './errors.js';
export type { Backend, MatmulOptions, ReduceOp, AdamOptions, KernelName } from './backend/backend.js';
export { KERNEL_NAMES } from './backend/backend.js';
export type { Tensor, DType, HostArray } from './backend/tensor.js';
export { shapeSize, asMatrix } from './backend/tensor.js';
export type { Scale, DeviceScale } from './backend/scale.js';
export { resolveScale } from './backend/scale.js';
export type { BackendFactory, ResolvedBackend } from './backend/registry.js';
export { BackendRegistry } from './backend/registry.js';
export { Rng } from './util/rng.js';
export type { Architecture, SaeWeights } from './sae/weights.js';
export type { TrainingState, Json, JsonObject } from './train/state.js';
// ---- reference cpu backend (owner: cpu) ----
export {
  CpuBackend,
  CpuTensor,
  cpuBackend,
  createCpuBackend,
  createDefaultRegistry,
} from './backends/cpu/index.js';
