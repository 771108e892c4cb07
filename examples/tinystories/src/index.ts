export {
  type ActivationSink,
  type ActivationTable,
  MemoryActivations,
} from './activations.js';
export {
  type CollectOptions,
  type CollectSummary,
  collectActivations,
  collectStories,
  residualStream,
  type StoryOptions,
} from './collect.js';
export {
  type ContextOptions,
  type FeatureContext,
  type FeatureSummary,
  formatContext,
  mostActivatingContexts,
  type SparseCodes,
  type TokenRows,
} from './contexts.js';
export { ModelFormatError, ModelInputError } from './errors.js';
export {
  type LlamaCheckpoint,
  type LlamaConfig,
  type LlamaWeights,
  loadLlamaCheckpoint,
  parseLlamaCheckpoint,
} from './model/checkpoint.js';
export { type GenerateOptions, generate, sample } from './model/generate.js';
export { BOS, EOS, Tokenizer } from './model/tokenizer.js';
export {
  InferenceSession,
  type ResidualHook,
  type StepOptions,
  Transformer,
} from './model/transformer.js';
export { MODELS_DIR_ENV, type ModelFiles, resolveModelsDir, storiesModelFiles } from './paths.js';
export {
  describeFeatures,
  type PipelineOptions,
  type PipelineResult,
  runPipeline,
  type SteeringResult,
} from './pipeline.js';
export { encodeRows, firingRates, meanRow, type TrainSaeResult, trainSae } from './sae.js';
export { readShardTable, ShardContentError } from './shards.js';
export {
  evaluateSplice,
  type Reconstruct,
  type SpliceOptions,
  type SpliceResult,
} from './splice.js';
export {
  type ChooseSteeringOptions,
  chooseSteeringFeature,
  countWord,
  decoderDirection,
  type SteeringCandidate,
  steeringHook,
} from './steer.js';
