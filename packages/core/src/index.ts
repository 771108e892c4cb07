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
// ---- models, trainer, synthetic data, metrics, bench (owner: train) ----
export { Sae, validateSaeWeights } from './sae/sae.js';
export type { SparseCode, HostSparseCode, SaeOptions } from './sae/sae.js';
export {
  resolveTrainConfig,
  learningRateAt,
  defaultKAux,
  defaultLr,
  DEFAULT_DEAD_TOKENS,
} from './train/config.js';
export type {
  TrainConfig,
  TrainConfigInput,
  TrainableArchitecture,
  BDecInit,
} from './train/config.js';
export { Trainer } from './train/trainer.js';
export type { TrainerOptions, TrainOptions, TrainSummary } from './train/trainer.js';
export type { StepMetrics } from './train/metrics.js';
export { geometricMedian, inputScaleOf } from './train/init.js';
export { referenceLoss, centralDifferenceGradients } from './train/reference-loss.js';
export type { ReferenceParams, ReferenceProblem, ReferenceResult } from './train/reference-loss.js';
export { SyntheticActivations, take } from './synthetic/synthetic.js';
export type { SyntheticOptions } from './synthetic/synthetic.js';
export { featureRecovery } from './synthetic/recovery.js';
export type { FeatureRecovery } from './synthetic/recovery.js';
export { evaluateSae } from './metrics/evaluate.js';
export type { Evaluation, EvaluateOptions, FiringHistogram } from './metrics/evaluate.js';
export { benchmarkTrainingStep, BENCH_SHAPES } from './bench/benchmark.js';
export type { BenchShape, BenchOptions, BenchResult } from './bench/benchmark.js';
export { timeKernels } from './bench/kernel-timer.js';
