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
export { encodeNpz, parseNpz, readNpz, writeNpz } from './formats/npz.js';
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
