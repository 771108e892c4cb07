export * from './backend/backend.js';
export type {
  BackendFactory,
  BackendProbe,
  Refusal,
  ResolvedBackend,
  ResolveOptions,
} from './backend/registry.js';
export { BackendRegistry, describeResolved } from './backend/registry.js';
export type { DeviceScale, Scale } from './backend/scale.js';
export { resolveScale } from './backend/scale.js';
export type { DType, HostArray, Tensor } from './backend/tensor.js';
export { asMatrix, shapeSize } from './backend/tensor.js';
// ---- reference cpu backend (owner: cpu) ----
export {
  CpuTensor,
  cpuBackend,
  createCpuBackend,
  createCpuBackendImpl,
  createDefaultRegistry,
} from './backends/cpu/index.js';
export type { BenchOptions, BenchResult, BenchShape } from './bench/benchmark.js';
export { BENCH_SHAPES, benchmarkTrainingStep } from './bench/benchmark.js';
export { timeKernels } from './bench/kernel-timer.js';
export * from './errors.js';
export type { EvaluateOptions, Evaluation, FiringHistogram } from './metrics/evaluate.js';
export { evaluateSae } from './metrics/evaluate.js';
export {
  type BackendIdentity,
  backendIdentity,
  describeBackend,
  type RunRecord,
  readSavedRun,
  type SavedRun,
  savedRunOf,
} from './run/saved-run.js';
export { countedSource, type RunSource, syntheticSource } from './run/source.js';
export {
  MemoryRunStore,
  type MetricsRecord,
  metricsRecord,
  type RunSnapshot,
  type RunStore,
} from './run/store.js';
export {
  type SavedSweepMember,
  type SweepMember,
  SweepMemberError,
  type SweepOptions,
  type SweepResult,
  type SweepResumeOptions,
  TrainingSweep,
} from './run/sweep.js';
export {
  BackendChangeError,
  type NewRunOptions,
  ResumeMismatchError,
  type ResumeOptions,
  type RunBackend,
  RunExistsError,
  type RunOptions,
  type RunResult,
  TrainingRun,
} from './run/training-run.js';
export type { HostSparseCode, SaeOptions, SparseCode } from './sae/sae.js';
export { Sae, validateSaeWeights } from './sae/sae.js';
export type { Architecture, SaeWeights } from './sae/weights.js';
export type { FeatureAbsorption } from './synthetic/absorption.js';
export { featureAbsorption } from './synthetic/absorption.js';
export type { FeatureRecovery } from './synthetic/recovery.js';
export { featureRecovery } from './synthetic/recovery.js';
export type { SyntheticOptions } from './synthetic/synthetic.js';
export { SyntheticActivations, take } from './synthetic/synthetic.js';
export { isMarkedFinite, markFinite } from './train/checked-batches.js';
export type {
  BDecInit,
  Rewarm,
  TrainableArchitecture,
  TrainConfig,
  TrainConfigInput,
} from './train/config.js';
export {
  ARCHITECTURE_KEYS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_DEAD_TOKENS,
  defaultKAux,
  defaultLr,
  extendSchedule,
  isBatchTopK,
  isDenseArchitecture,
  learningRateAt,
  resolveTrainConfig,
  scheduleFactorAt,
  sparsityWarmupAt,
  TRAINABLE_ARCHITECTURES,
} from './train/config.js';
export {
  type ConfigField,
  checkField,
  configField,
  type FieldType,
  RUN_OPTION_FIELDS,
  TRAIN_CONFIG_FIELDS,
  type TrainConfigKey,
} from './train/config-schema.js';
export { geometricMedian, inputScaleOf } from './train/init.js';
export { checkConfigLimits } from './train/limits.js';
export type { StepMetrics } from './train/metrics.js';
export { pairedBatch, type SplitBatch, splitBatch } from './train/paired.js';
export type { Json, JsonObject, TrainingState } from './train/state.js';
export type { TrainerOptions, TrainOptions, TrainSummary } from './train/trainer.js';
export { Trainer } from './train/trainer.js';
export { Rng } from './util/rng.js';
