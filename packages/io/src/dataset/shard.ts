import { type FileHandle, open } from 'node:fs/promises';
import { DataError } from '@saekit/core';
import { FormatError } from '../errors.js';
import { type Dtype, decodeElements } from '../formats/dtypes.js';
import { readNpyHeader } from '../formats/npy.js';
import { readSafetensorsHeader } from '../formats/safetensors.js';
import { readExactly } from '../util/file.js';
import { decodeBf16, decodeHalf } from '../util/half.js';

/** The activation tensor of one shard file: where its rows are and how they are stored. */
export interface ShardInfo {
  readonly path: string;
  readonly rows: number;
  readonly dIn: number;
  readonly dtype: 'F32' | 'F16' | 'BF16' | 'F64';
  readonly littleEndian: boolean;
  /** Absolute file offset of row 0. */
  readonly dataStart: number;
  readonly rowBytes: number;
}

const SHARD_DTYPES = new Set<Dtype>(['F32', 'F16', 'BF16', 'F64']);
const BYTES: Record<ShardInfo['dtype'], number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** Reads a shard's header (never its data) and checks it holds a 2-D float matrix. */
export async function openShard(path: string, tensorName?: string): Promise<ShardInfo> {
  let dtype: Dtype;
  let shape: readonly number[];
  let dataStart: number;
  let littleEndian = true;
  if (path.endsWith('.npy')) {
    const h = await readNpyHeader(path);
    if (h.fortranOrder && h.shape.length === 2 && h.shape[0] > 1 && h.shape[1] > 1) {
      throw new FormatError(
        path,
        'Fortran-order shards cannot be streamed by row; save in C order',
      );
    }
    ({ dtype, shape, dataStart, littleEndian } = h);
  } else {
    const h = await readSafetensorsHeader(path);
    const names = h.entries.map((e) => e.name);
    const name =
      tensorName ??
      (names.includes('activations') ? 'activations' : names.length === 1 ? names[0] : undefined);
    const entry = h.entries.find((e) => e.name === name);
    if (entry === undefined) {
      throw new FormatError(
        path,
        tensorName === undefined
          ? `no 'activations' tensor and more than one to choose from (${names.join(', ')}); pass tensorName`
          : `no tensor named '${tensorName}' (has ${names.join(', ') || 'none'})`,
      );
    }
    dtype = entry.dtype;
    shape = entry.shape;
    dataStart = h.dataStart + entry.begin;
  }
  if (!SHARD_DTYPES.has(dtype)) {
    throw new FormatError(path, `activations must be f32, f16, bf16 or f64, not ${dtype}`);
  }
  if (shape.length !== 2) {
    throw new FormatError(path, `activations must be a 2-D [rows, d] matrix, got shape [${shape}]`);
  }
  const d = dtype as ShardInfo['dtype'];
  return {
    path,
    rows: shape[0],
    dIn: shape[1],
    dtype: d,
    littleEndian,
    dataStart,
    rowBytes: shape[1] * BYTES[d],
  };
}

/**
 * Reads rows [start, start + count) of a shard into `out` (Float32, row-major) and rejects
 * any non-finite value, naming the shard and the row. `scratch` is reused between calls.
 */
export async function readShardRows(
  shard: ShardInfo,
  handle: FileHandle,
  start: number,
  count: number,
  out: Float32Array,
  scratch: { bytes?: Uint8Array },
): Promise<void> {
  const byteLength = count * shard.rowBytes;
  const position = shard.dataStart + start * shard.rowBytes;
  if (shard.dtype === 'F32' && shard.littleEndian) {
    // Straight into the destination: no copy, no conversion.
    await readExactly(
      handle,
      shard.path,
      position,
      byteLength,
      new Uint8Array(out.buffer, out.byteOffset, byteLength),
    );
  } else {
    if (scratch.bytes === undefined || scratch.bytes.byteLength < byteLength) {
      scratch.bytes = new Uint8Array(byteLength);
    }
    const raw = await readExactly(
      handle,
      shard.path,
      position,
      byteLength,
      scratch.bytes.subarray(0, byteLength),
    );
    const n = count * shard.dIn;
    if (shard.dtype === 'F16' && shard.littleEndian) {
      decodeHalf(new Uint16Array(raw.buffer, raw.byteOffset, n), out.subarray(0, n));
    } else if (shard.dtype === 'BF16' && shard.littleEndian) {
      decodeBf16(new Uint16Array(raw.buffer, raw.byteOffset, n), out.subarray(0, n));
    } else {
      out.set(decodeElements(raw, shard.dtype, shard.littleEndian) as Float32Array);
    }
  }
  const n = count * shard.dIn;
  for (let i = 0; i < n; i++) {
    const v = out[i];
    if (v - v !== 0) {
      const row = start + Math.floor(i / shard.dIn);
      throw new DataError(`non-finite value ${v} in column ${i % shard.dIn}`, shard.path, row);
    }
  }
}

export async function openHandle(path: string): Promise<FileHandle> {
  return open(path, 'r');
}
