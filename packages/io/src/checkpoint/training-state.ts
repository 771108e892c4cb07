import { createHash } from 'node:crypto';
import type { JsonObject, TrainingState } from '@saekit/core';
import { ConfigError } from '@saekit/core';
import { FormatError } from '../errors.js';
import { readSafetensors, type TensorInput, writeSafetensors } from '../formats/safetensors.js';

const FORMAT = 'saekit-training-state';

/**
 * Writes a training state as one safetensors file (every array a 1-D tensor, `meta` as JSON
 * in `__metadata__`), through a temporary file and a rename: a crash mid-write leaves the
 * previous checkpoint intact.
 */
export async function saveTrainingState(path: string, state: TrainingState): Promise<void> {
  if (state.format !== FORMAT || state.version !== 1) {
    throw new ConfigError('state', `not a ${FORMAT} version 1 object`);
  }
  const tensors: Record<string, TensorInput> = {};
  for (const [name, data] of Object.entries(state.arrays)) {
    if (name === '__metadata__')
      throw new ConfigError('state', "an array cannot be named '__metadata__'");
    if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
      throw new ConfigError('state', `array '${name}' must be a Float32Array or Int32Array`);
    }
    tensors[name] = { shape: [data.length], data };
  }
  const meta = JSON.stringify(state.meta);
  await writeSafetensors(path, tensors, {
    format: FORMAT,
    version: '1',
    meta,
    checksum: checksumOf(meta, state.arrays),
  });
}

/**
 * sha256 of the meta JSON and every array (name, type, bytes, in name order): a flipped bit
 * anywhere in what a resume trusts is caught on load.
 */
function checksumOf(
  meta: string,
  arrays: Readonly<Record<string, Float32Array | Int32Array>>,
): string {
  const hash = createHash('sha256');
  hash.update(meta);
  for (const name of Object.keys(arrays).sort()) {
    const a = arrays[name];
    hash.update(`\0${name}\0${a instanceof Float32Array ? 'F32' : 'I32'}\0${a.length}\0`);
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Reads a state written by saveTrainingState; anything else is a FormatError naming the file. */
export async function loadTrainingState(path: string): Promise<TrainingState> {
  const file = await readSafetensors(path);
  const md = file.metadata ?? {};
  if (md['format'] !== FORMAT)
    throw new FormatError(
      path,
      `not a saekit training state (format ${JSON.stringify(md['format'])})`,
    );
  if (md['version'] !== '1')
    throw new FormatError(
      path,
      `unsupported training state version ${JSON.stringify(md['version'])}`,
    );
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [name, t] of Object.entries(file.tensors)) {
    if ((t.dtype !== 'F32' && t.dtype !== 'I32') || t.shape.length !== 1) {
      throw new FormatError(
        path,
        `array '${name}' must be 1-D F32 or I32, got ${t.dtype} [${t.shape}]`,
      );
    }
    arrays[name] = t.data as Float32Array | Int32Array;
  }
  // States written before the checksum existed have none; any other must match.
  const checksum = md['checksum'];
  if (checksum !== undefined && checksum !== checksumOf(md['meta'] ?? '', arrays)) {
    throw new FormatError(
      path,
      'checksum mismatch: the training state is corrupt (resume from an earlier copy, or start over)',
    );
  }
  let meta: unknown;
  try {
    meta = JSON.parse(md['meta'] ?? '');
  } catch (cause) {
    throw new FormatError(path, 'training state meta is not valid JSON', { cause });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new FormatError(path, 'training state meta is not a JSON object');
  }
  return { format: FORMAT, version: 1, meta: meta as JsonObject, arrays };
}
