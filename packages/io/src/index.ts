export type { SaveDtype } from './checkpoint/common.js';
export { formatRefusal } from './checkpoint/format-refusal.js';
export { openSae } from './checkpoint/open-sae.js';
export {
  type LoadedSae,
  type LoadSaeOptions,
  loadSae,
  type SaeFormat,
  type SaveSaeOptions,
  saveSae,
} from './checkpoint/sae-checkpoint.js';
export { loadTrainingState, saveTrainingState } from './checkpoint/training-state.js';
export {
  ActivationDataset,
  type ActivationDatasetOptions,
  type DatasetPosition,
} from './dataset/activation-dataset.js';
export { type ShardIdentity, shardIdentity } from './dataset/identity.js';
export { resolveShards } from './dataset/resolve.js';
export { openShard, readShardIds, type ShardIds, type ShardInfo } from './dataset/shard.js';
export { type ShardDtype, ShardWriter, type ShardWriterOptions } from './dataset/shard-writer.js';
export { FormatError } from './errors.js';
export {
  type Dtype,
  SAFETENSORS_DTYPES,
  type TensorArray,
} from './formats/dtypes.js';
export {
  encodeNpy,
  type NpyHeader,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
} from './formats/npy.js';
export { encodeNpz, parseNpz, type ReadNpzOptions, readNpz, writeNpz } from './formats/npz.js';
export {
  encodeSafetensors,
  MAX_HEADER_BYTES,
  parseSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  readSafetensorsTensor,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeader,
  type TensorData,
  type TensorInput,
  writeSafetensors,
} from './formats/safetensors.js';
export {
  fetchSaeFromHub,
  type HubAddress,
  HubError,
  type HubOptions,
  isHubUri,
  parseHubUri,
} from './hub/hub.js';
export { type PushOptions, pushSaeToHub } from './hub/push.js';
export { datasetSource } from './run/dataset-source.js';
export { appendMetrics, openMetricsLog, parseMetrics, readMetrics } from './run/metrics-log.js';
export { RunFolder, type RunFolderOptions, runFolderPaths } from './run/run-folder.js';
export { LOCK_NAME, type LockHolder, RunLock, RunLockedError } from './run/run-lock.js';
export { HuggingFaceTokenizer } from './tokenizer/huggingface.js';
export {
  encodeLlama2cTokenizer,
  LLAMA2C_BOS,
  LLAMA2C_EOS,
  Llama2cTokenizer,
} from './tokenizer/llama2c.js';
export { loadTokenizer, type TokenDecoder, tokenTexts } from './tokenizer/tokenizer.js';
export { removeStaleTempFiles, tempPathFor, writeFileAtomic } from './util/atomic.js';
export {
  asFileSystemError,
  FILE_ERROR_WORDS,
  FileSystemError,
  fileErrorCode,
  makeDirectory,
} from './util/fs-errors.js';
