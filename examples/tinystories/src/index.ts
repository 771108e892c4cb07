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
  MemoryActivations,
  type ActivationSink,
  type ActivationTable,
} from './activations.js';
export {
  collectActivations,
  collectStories,
  residualStream,
  type CollectOptions,
  type CollectSummary,
  type StoryOptions,
} from './collect.js';
