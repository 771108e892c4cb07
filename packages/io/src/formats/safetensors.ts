import { open, readFile } from 'node:fs/promises';
import { FormatError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readExactly } from '../util/file.js';
import {
  byteLengthOf,
  DTYPE_BITS,
  type Dtype,
  decodeElements,
  defaultDtypeOf,
  encodeElements,
  isDtype,
  numelOf,
  type TensorArray,
} from './dtypes.js';

/** The safetensors spec's limit on the JSON header, which also bounds what we allocate for it. */
export const MAX_HEADER_BYTES = 100_000_000;

/** A tensor in host memory: its on-disk dtype, its shape, its (converted) elements. */
export interface TensorData {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

/** A tensor to write; `dtype` defaults to the array's own (Float32Array → F32). */
export interface TensorInput {
  readonly dtype?: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Byte range [begin, end) relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Absolute file offset of the data section (8 + header length). */
  readonly dataStart: number;
  /** In file order (sorted by begin). */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface SafetensorsFile {
  readonly tensors: Record<string, TensorData>;
  readonly metadata?: Record<string, string>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the 8-byte length prefix against the file size and returns the header length. */
export function checkHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8) throw new FormatError(file, `truncated: ${fileSize} bytes, no header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(file, `header length ${n} exceeds the 100 MB limit`);
  }
  const len = Number(n);
  if (len < 2) throw new FormatError(file, `header length ${len} is too small for a JSON object`);
  if (8 + len > fileSize) {
    throw new FormatError(file, `truncated: header needs ${len} bytes, file has ${fileSize - 8}`);
  }
  return len;
}

/**
 * Parses and validates a safetensors JSON header: a JSON object of entries
 * {dtype, shape, data_offsets} plus an optional `__metadata__` string map; entries must tile
 * the data section exactly (sorted by offset: contiguous from 0, no overlap, ending at the
 * end of the file) and each byte length must equal product(shape) × dtype size.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  file: string,
): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw new FormatError(file, 'header is not valid UTF-8', { cause });
  }
  if (!text.startsWith('{')) throw new FormatError(file, "header does not start with '{'");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FormatError(file, `header is not valid JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  // Mutants here are equivalent: text that starts with '{' and parses is an object; kept as the
  // type guard for what follows.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (!isPlainObject(json)) throw new FormatError(file, 'header is not a JSON object');

  const dataStart = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataStart;
  let metadata: Record<string, string> | undefined;
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(raw)) throw new FormatError(file, '__metadata__ is not an object');
      metadata = {};
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') {
          throw new FormatError(file, `__metadata__ value '${k}' is not a string`);
        }
        metadata[k] = v;
      }
      continue;
    }
    const at = `tensor '${name}'`;
    if (!isPlainObject(raw)) throw new FormatError(file, `${at}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw;
    if (!isDtype(dtype))
      throw new FormatError(file, `${at}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape)) throw new FormatError(file, `${at}: shape is not an array`);
    const numel = numelOf(shape);
    if (numel === undefined) {
      throw new FormatError(file, `${at}: shape ${JSON.stringify(shape)} is not a list of sizes`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      // Stryker disable next-line ConditionalExpression: equivalent: isSafeInteger is false for non-numbers
      !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      throw new FormatError(file, `${at}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw new FormatError(file, `${at}: data_offsets [${begin}, ${end}) reversed`);
    if (end > dataSize) {
      throw new FormatError(
        file,
        `${at}: data_offsets [${begin}, ${end}) out of bounds (data section is ${dataSize} bytes)`,
      );
    }
    const expected = byteLengthOf(dtype, numel);
    if (expected === undefined) {
      throw new FormatError(
        file,
        `${at}: ${numel} elements of ${dtype} (${DTYPE_BITS[dtype]} bits) do not fill whole bytes`,
      );
    }
    if (end - begin !== expected) {
      throw new FormatError(
        file,
        `${at}: ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${expected}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new FormatError(file, `tensor '${e.name}': data_offsets overlap the previous tensor`);
    }
    if (e.begin > cursor) {
      throw new FormatError(
        file,
        `tensor '${e.name}': gap before data_offsets ${e.begin} (previous tensor ends at ${cursor})`,
      );
    }
    cursor = e.end;
  }
  if (cursor !== dataSize) {
    throw new FormatError(
      file,
      `tensors cover ${cursor} bytes but the data section is ${dataSize} bytes`,
    );
  }
  return { dataStart, entries, metadata };
}

/** Validates and decodes a whole safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsFile {
  const len = checkHeaderLength(bytes, bytes.byteLength, file);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + len), bytes.byteLength, file);
  const tensors: Record<string, TensorData> = {};
  for (const e of header.entries) {
    const raw = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: decodeElements(raw, e.dtype) };
  }
  return header.metadata === undefined
    ? { tensors }
    : { tensors, metadata: { ...header.metadata } };
}

/** Reads and validates only the header of a safetensors file (two small reads). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const handle = await open(path, 'r');
  try {
    return await readHeaderFrom(handle, path);
  } finally {
    await handle.close();
  }
}

async function readHeaderFrom(
  handle: Awaited<ReturnType<typeof open>>,
  path: string,
): Promise<SafetensorsHeader> {
  const { size } = await handle.stat();
  const prefix = await readExactly(handle, path, 0, Math.min(8, size));
  const len = checkHeaderLength(prefix, size, path);
  const headerBytes = await readExactly(handle, path, 8, len);
  return parseSafetensorsHeader(headerBytes, size, path);
}

/** Reads a whole safetensors file: every tensor (floats as Float32Array) and `__metadata__`. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return parseSafetensors(await readFile(path), path);
}

/**
 * Reads one named tensor, touching only the header and that tensor's byte range, so a single
 * matrix can come out of a multi-GB checkpoint.
 */
export async function readSafetensorsTensor(path: string, name: string): Promise<TensorData> {
  const handle = await open(path, 'r');
  try {
    const header = await readHeaderFrom(handle, path);
    const entry = header.entries.find((e) => e.name === name);
    if (entry === undefined) {
      const names = header.entries.map((e) => e.name);
      throw new FormatError(
        path,
        `no tensor named '${name}' (has ${names.length === 0 ? 'none' : names.join(', ')})`,
      );
    }
    const raw = await readExactly(
      handle,
      path,
      header.dataStart + entry.begin,
      entry.end - entry.begin,
    );
    return { dtype: entry.dtype, shape: entry.shape, data: decodeElements(raw, entry.dtype) };
  } finally {
    await handle.close();
  }
}

/** Encodes tensors (in the given key order) and metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, TensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header['__metadata__'] = { ...metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new RangeError("'__metadata__' is not a valid tensor name");
    const dtype = t.dtype ?? defaultDtypeOf(t.data);
    const numel = numelOf(t.shape);
    if (numel === undefined) throw new RangeError(`tensor '${name}': invalid shape [${t.shape}]`);
    const bytes = encodeElements(t.data, dtype);
    if (bytes === undefined) {
      throw new TypeError(`tensor '${name}': cannot write ${t.data.constructor.name} as ${dtype}`);
    }
    if (bytes.byteLength !== byteLengthOf(dtype, numel)) {
      throw new RangeError(
        `tensor '${name}': ${bytes.byteLength} bytes of ${dtype} do not match shape [${t.shape}]`,
      );
    }
    header[name] = {
      dtype,
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    offset += bytes.byteLength;
    chunks.push(bytes);
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const jsonBytes = new TextEncoder().encode(json);
  const pad = (8 - (jsonBytes.byteLength % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  return [prefix, headerBytes, ...chunks];
}

/**
 * Writes tensors atomically (temporary file + rename). Float32 data may be written as F16,
 * BF16 or F64 by giving `dtype`; integer arrays are written as their own dtype.
 */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, TensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
