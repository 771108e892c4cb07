import { existsSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { DataError } from '@saekit/core';
import { FormatError } from '../errors.js';
import { type Dtype, decodeElements } from '../formats/dtypes.js';
import { readNpy, readNpyHeader } from '../formats/npy.js';
import { readSafetensorsHeader, readSafetensorsTensor } from '../formats/safetensors.js';
import { readExactly } from '../util/file.js';
import { decodeBf16Checked, decodeHalfChecked } from '../util/half.js';

/** The activation tensor of one shard file: where its rows are and how they are stored. */
export interface ShardInfo {
  readonly path: string;
  readonly rows: number;
  readonly dIn: number;
  readonly dtype: 'F32' | 'F16' | 'BF16' | 'F64';
  readonly littleEndian: boolean;
  /**
   * Column-major on disk (what `np.save(f, x.T)` writes): rows [a, b) are then one run of
   * b − a elements per column.
   */
  readonly fortranOrder: boolean;
  /** Absolute file offset of row 0 (of element [0, 0] when fortranOrder). */
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
  let fortranOrder = false;
  if (path.endsWith('.npy')) {
    const h = await readNpyHeader(path);
    ({ dtype, shape, dataStart, littleEndian } = h);
    // A single row or column is stored the same way in either order.
    fortranOrder = h.fortranOrder && shape.length === 2 && shape[0] > 1 && shape[1] > 1;
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
    fortranOrder,
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
  const n = count * shard.dIn;
  let bad: number;
  if (shard.fortranOrder) {
    await readFortranRows(shard, handle, start, count, out, scratch);
    bad = firstNonFinite(out.subarray(0, n));
  } else if (shard.dtype === 'F32' && shard.littleEndian) {
    // Straight into the destination: no copy, no conversion.
    await readExactly(
      handle,
      shard.path,
      position,
      byteLength,
      new Uint8Array(out.buffer, out.byteOffset, byteLength),
    );
    bad = firstNonFinite(out.subarray(0, n));
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
    if (shard.dtype === 'F16' && shard.littleEndian) {
      bad = decodeHalfChecked(new Uint16Array(raw.buffer, raw.byteOffset, n), out.subarray(0, n));
    } else if (shard.dtype === 'BF16' && shard.littleEndian) {
      bad = decodeBf16Checked(new Uint16Array(raw.buffer, raw.byteOffset, n), out.subarray(0, n));
    } else {
      out.set(decodeElements(raw, shard.dtype, shard.littleEndian) as Float32Array);
      bad = firstNonFinite(out.subarray(0, n));
    }
  }
  if (bad >= 0) {
    throw new DataError(
      `non-finite value ${out[bad]} in column ${bad % shard.dIn}`,
      shard.path,
      start + Math.floor(bad / shard.dIn),
    );
  }
}

/**
 * Rows [start, start + count) of a column-major shard: one read of `count` elements per
 * column into `scratch` (the same bytes a C-order read takes), decoded and transposed into
 * `out`.
 */
async function readFortranRows(
  shard: ShardInfo,
  handle: FileHandle,
  start: number,
  count: number,
  out: Float32Array,
  scratch: { bytes?: Uint8Array },
): Promise<void> {
  const d = shard.dIn;
  const elem = shard.rowBytes / d;
  const byteLength = count * shard.rowBytes;
  if (scratch.bytes === undefined || scratch.bytes.byteLength < byteLength) {
    scratch.bytes = new Uint8Array(byteLength);
  }
  const raw = scratch.bytes.subarray(0, byteLength);
  for (let c = 0; c < d; c++) {
    const at = shard.dataStart + (c * shard.rows + start) * elem;
    await readExactly(handle, shard.path, at, count * elem, raw.subarray(c * count * elem));
  }
  // Column-major [d, count] values, then transposed into row-major [count, d].
  const cols = decodeElements(raw, shard.dtype, shard.littleEndian) as Float32Array;
  for (let c = 0; c < d; c++) {
    const col = c * count;
    for (let r = 0; r < count; r++) out[r * d + c] = cols[col + r];
  }
}

/**
 * Index of the first NaN or ±Infinity, or -1. Branch-free over blocks (x·0 is 0 for finite x
 * and NaN otherwise), so the common all-finite case runs at memory speed.
 */
function firstNonFinite(a: Float32Array): number {
  const BLOCK = 4096;
  for (let begin = 0; begin < a.length; begin += BLOCK) {
    const end = Math.min(a.length, begin + BLOCK);
    let s = 0;
    for (let i = begin; i < end; i++) s += a[i] * 0;
    if (s !== 0) {
      for (let i = begin; i < end; i++) if (a[i] - a[i] !== 0) return i;
    }
  }
  return -1;
}

export async function openHandle(path: string): Promise<FileHandle> {
  return open(path, 'r');
}

export interface ShardIds {
  /** Token id of each row, when the shard has them. */
  readonly tokenIds?: Int32Array;
  /** Which text each row came from (rows of one sequence are consecutive). */
  readonly sequenceIds?: Int32Array;
}

function asInt32(
  t: { dtype: Dtype; shape: readonly number[]; data: unknown },
  rows: number,
  what: string,
  file: string,
): Int32Array {
  if (t.shape.length !== 1 || t.shape[0] !== rows) {
    throw new FormatError(file, `${what} has shape [${t.shape}], expected [${rows}]`);
  }
  if (t.data instanceof Int32Array) return t.data;
  if (
    t.data instanceof BigInt64Array ||
    t.data instanceof Uint32Array ||
    t.data instanceof Uint16Array ||
    t.data instanceof Int16Array
  ) {
    const out = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = Number(t.data[i]);
      if (!Number.isSafeInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
        throw new FormatError(file, `${what}[${i}] = ${v} does not fit in int32`);
      }
      out[i] = v;
    }
    return out;
  }
  throw new FormatError(file, `${what} must be an integer array, not ${t.dtype}`);
}

/**
 * The token and sequence ids stored with a shard (for reports that show each row's context):
 * `token_ids` / `sequence_ids` tensors of a .safetensors shard, or the sibling files
 * `<name>.token_ids.npy` / `<name>.sequence_ids.npy` of a .npy shard.
 */
export async function readShardIds(path: string, tensorName?: string): Promise<ShardIds> {
  const shard = await openShard(path, tensorName);
  const out: { tokenIds?: Int32Array; sequenceIds?: Int32Array } = {};
  for (const [key, name] of [
    ['tokenIds', 'token_ids'],
    ['sequenceIds', 'sequence_ids'],
  ] as const) {
    if (path.endsWith('.npy')) {
      const sibling = `${path.slice(0, -4)}.${name}.npy`;
      if (existsSync(sibling))
        out[key] = asInt32(await readNpy(sibling), shard.rows, name, sibling);
    } else {
      const header = await readSafetensorsHeader(path);
      if (header.entries.some((e) => e.name === name)) {
        out[key] = asInt32(await readSafetensorsTensor(path, name), shard.rows, name, path);
      }
    }
  }
  return out;
}
