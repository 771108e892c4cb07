import { open, readFile } from 'node:fs/promises';
import { FormatError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readExactly } from '../util/file.js';
import {
  byteLengthOf,
  type Dtype,
  decodeElements,
  defaultDtypeOf,
  encodeElements,
  numelOf,
  type TensorArray,
} from './dtypes.js';
import type { TensorData, TensorInput } from './safetensors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy refuses headers longer than this by default; so do we, before allocating. */
const MAX_NPY_HEADER = 1 << 20;

/** numpy type codes we read, by the safetensors dtype they become. */
const NPY_CODES: Readonly<Record<string, Dtype>> = {
  f2: 'F16',
  f4: 'F32',
  f8: 'F64',
  i1: 'I8',
  u1: 'U8',
  b1: 'BOOL',
  i2: 'I16',
  u2: 'U16',
  i4: 'I32',
  u4: 'U32',
  i8: 'I64',
  u8: 'U64',
};

const DTYPE_TO_CODE: Partial<Record<Dtype, string>> = {
  F16: '<f2',
  F32: '<f4',
  F64: '<f8',
  I8: '|i1',
  U8: '|u1',
  BOOL: '|b1',
  I16: '<i2',
  U16: '<u2',
  I32: '<i4',
  U32: '<u4',
  I64: '<i8',
  U64: '<u8',
};

/** Where an .npy array's elements live, from its header alone. */
export interface NpyHeader {
  readonly dtype: Dtype;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Absolute offset of the first element. */
  readonly dataStart: number;
  readonly byteLength: number;
}

type PyValue = string | boolean | number[] | Record<string, unknown>;

/**
 * Parses the Python-literal header dict numpy writes, e.g.
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. Only the literals a valid
 * header can hold are accepted: strings, True/False, tuples of ints; anything else
 * (structured dtypes as lists, objects) is refused.
 */
function parseHeaderDict(text: string, file: string): Record<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new FormatError(file, `malformed .npy header at character ${i}: ${what}`);
  };
  const ws = () => {
    // equivalent: past the end text[i] is undefined, and ' \t\r\n'.includes(undefined) is false,
    // so the bound only states the intent.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') fail('expected a string');
    const end = text.indexOf(q, i + 1);
    // Stryker disable next-line EqualityOperator: equivalent: indexOf from i + 1 never returns 0.
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) fail('escapes are not supported in header strings');
    i = end + 1;
    return s;
  };
  const int = (): number => {
    const m = /^\d+L?/.exec(text.slice(i, i + 24));
    if (m === null) fail('expected an integer');
    i += m![0].length;
    const n = Number(m![0].replace('L', ''));
    if (!Number.isSafeInteger(n)) fail('dimension too large');
    return n;
  };
  const value = (): PyValue => {
    ws();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      ws();
      while (text[i] !== ')') {
        dims.push(int());
        ws();
        if (text[i] === ',') {
          i++;
          ws();
        } else if (text[i] !== ')') fail("expected ',' or ')' in shape");
      }
      i++;
      return dims;
    }
    if (text[i] === '[') fail('structured dtypes are not supported');
    return fail('unexpected value');
  };
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  const out: Record<string, PyValue> = {};
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    out[key] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) fail('trailing characters after the header dict');
  return out;
}

/**
 * Reads the preamble and header dict from the first bytes of a .npy file. `prefix` must hold
 * the whole header (the caller reads more when `needed` says so).
 */
function parsePreamble(prefix: Uint8Array, file: string): { version: number; headerEnd: number } {
  if (prefix.byteLength < 10) throw new FormatError(file, 'truncated: no .npy preamble');
  for (let j = 0; j < MAGIC.length; j++) {
    if (prefix[j] !== MAGIC[j]) throw new FormatError(file, 'bad magic: not a .npy file');
  }
  const major = prefix[6];
  if (major < 1 || major > 3) throw new FormatError(file, `unsupported .npy version ${major}`);
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return { version: 1, headerEnd: 10 + dv.getUint16(8, true) };
  if (prefix.byteLength < 12) throw new FormatError(file, 'truncated: no .npy header length');
  const len = dv.getUint32(8, true);
  if (len > MAX_NPY_HEADER) {
    throw new FormatError(file, `.npy header length ${len} exceeds ${MAX_NPY_HEADER} bytes`);
  }
  return { version: major, headerEnd: 12 + len };
}

function interpretHeader(
  headerText: string,
  headerEnd: number,
  fileSize: number,
  file: string,
): NpyHeader {
  const dict = parseHeaderDict(headerText, file);
  const { descr, fortran_order: fortran, shape } = dict;
  if (typeof descr !== 'string') throw new FormatError(file, "header has no string 'descr'");
  if (typeof fortran !== 'boolean') throw new FormatError(file, "header has no 'fortran_order'");
  if (!Array.isArray(shape)) throw new FormatError(file, "header has no tuple 'shape'");
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  const order = m?.[1] ?? '';
  const code = m === null ? descr : m[3] === '' && m[2] === '?' ? 'b1' : `${m[2]}${m[3]}`;
  const dtype = NPY_CODES[code];
  if (dtype === undefined) {
    const why = code.startsWith('O') ? 'object arrays are not supported' : 'unsupported dtype';
    throw new FormatError(file, `${why}: descr '${descr}'`);
  }
  const width = Number(code.slice(1));
  if (order === '|' && width > 1) {
    throw new FormatError(file, `descr '${descr}': '|' byte order on a multi-byte type`);
  }
  const numel = numelOf(shape);
  // equivalent: byteLengthOf(dtype, undefined) is undefined too (NaN bits are not safe).
  // Stryker disable next-line ConditionalExpression: see above
  const byteLength = numel === undefined ? undefined : byteLengthOf(dtype, numel);
  if (byteLength === undefined) throw new FormatError(file, `shape (${shape}) is too large`);
  const available = fileSize - headerEnd;
  if (available !== byteLength) {
    throw new FormatError(
      file,
      `shape (${shape.join(', ')}) of '${descr}' needs ${byteLength} data bytes, file has ${available}`,
    );
  }
  return {
    dtype,
    littleEndian: order !== '>',
    fortranOrder: fortran,
    shape,
    dataStart: headerEnd,
    byteLength,
  };
}

function headerTextOf(bytes: Uint8Array, version: number, file: string): string {
  try {
    return new TextDecoder(version === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new FormatError(file, '.npy header is not valid text', { cause });
  }
}

/** Column-major elements → row-major, for any rank. */
function fortranToC<T extends TensorArray>(src: T, shape: readonly number[]): T {
  const rank = shape.length;
  // equivalent: the loop below is the identity for rank < 2 and does nothing for no elements; the
  // shortcut only saves a copy.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: see above
  if (rank < 2 || src.length === 0) return src;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  // Stryker disable next-line ArrayDeclaration: equivalent: the array grows as strides are assigned.
  const fStride = new Array<number>(rank);
  let s = 1;
  // Stryker disable next-line EqualityOperator: equivalent: a stride for d = rank is computed, never read.
  for (let d = 0; d < rank; d++) {
    fStride[d] = s;
    s *= shape[d];
  }
  const idx = new Array<number>(rank).fill(0);
  // Stryker disable next-line EqualityOperator: equivalent: a write at out.length is dropped by the typed array.
  for (let c = 0; c < out.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += idx[d] * fStride[d];
    out[c] = src[f];
    // equivalent: starting at d = rank, ++idx[rank] is NaN, which resets to 0 and carries on
    // to d = rank - 1 as before.
    // Stryker disable next-line ArithmeticOperator: see above
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** The header of a whole .npy file held in memory. */
function headerInMemory(bytes: Uint8Array, file: string): NpyHeader {
  const { version, headerEnd } = parsePreamble(bytes, file);
  if (headerEnd > bytes.byteLength) throw new FormatError(file, 'truncated inside the .npy header');
  const text = headerTextOf(bytes.subarray(version === 1 ? 10 : 12, headerEnd), version, file);
  return interpretHeader(text, headerEnd, bytes.byteLength, file);
}

function decodeNpy(bytes: Uint8Array, h: NpyHeader): TensorData {
  const raw = bytes.subarray(h.dataStart, h.dataStart + h.byteLength);
  const data = decodeElements(raw, h.dtype, h.littleEndian);
  return {
    dtype: h.dtype,
    shape: h.shape,
    data: h.fortranOrder ? fortranToC(data, h.shape) : data,
  };
}

/** Validates and decodes a whole .npy file held in memory (returned in C order). */
export function parseNpy(bytes: Uint8Array, file = '<buffer>'): TensorData {
  return decodeNpy(bytes, headerInMemory(bytes, file));
}

/**
 * parseNpy for bytes the caller hands over: a little-endian C-order float32 array aligned in
 * memory is returned as a view of them, not a copy (big arrays inflated from an .npz).
 */
export function parseNpyInPlace(bytes: Uint8Array, file: string): TensorData {
  const h = headerInMemory(bytes, file);
  const start = bytes.byteOffset + h.dataStart;
  if (h.dtype === 'F32' && h.littleEndian && !h.fortranOrder && start % 4 === 0) {
    const data = new Float32Array(bytes.buffer, start, h.byteLength / 4);
    return { dtype: h.dtype, shape: h.shape, data };
  }
  return decodeNpy(bytes, h);
}

/** Reads only the header of a .npy file (for streaming row ranges out of big shards). */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const first = await readExactly(handle, path, 0, Math.min(12, size));
    const { version, headerEnd } = parsePreamble(first, path);
    if (headerEnd > size) throw new FormatError(path, 'truncated inside the .npy header');
    const start = version === 1 ? 10 : 12;
    const headerBytes = await readExactly(handle, path, start, headerEnd - start);
    return interpretHeader(headerTextOf(headerBytes, version, path), headerEnd, size, path);
  } finally {
    await handle.close();
  }
}

export async function readNpy(path: string): Promise<TensorData> {
  return parseNpy(await readFile(path), path);
}

/**
 * Encodes an array as .npy (version 1.0, or 2.0 when the header needs it), little-endian,
 * C order, header padded with spaces so the data starts at a multiple of 64 bytes.
 */
export function encodeNpy(array: TensorInput): Uint8Array[] {
  const dtype = array.dtype ?? defaultDtypeOf(array.data);
  const descr = DTYPE_TO_CODE[dtype];
  if (descr === undefined) throw new TypeError(`.npy cannot hold dtype ${dtype}`);
  const numel = numelOf(array.shape);
  if (numel === undefined) throw new RangeError(`invalid shape [${array.shape}]`);
  const bytes = encodeElements(array.data, dtype);
  if (bytes === undefined) {
    throw new TypeError(`cannot write ${array.data.constructor.name} as ${descr}`);
  }
  if (bytes.byteLength !== byteLengthOf(dtype, numel)) {
    throw new RangeError(
      `${bytes.byteLength} bytes of ${descr} do not match shape [${array.shape}]`,
    );
  }
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let version = 1;
  let preamble = 10;
  if (dict.length + 1 + preamble > 0xffff) {
    version = 2;
    preamble = 12;
  }
  const total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  const header = `${dict}${' '.repeat(total - preamble - dict.length - 1)}\n`;
  const head = new Uint8Array(total);
  head.set(MAGIC, 0);
  head[6] = version;
  head[7] = 0;
  const dv = new DataView(head.buffer);
  // equivalent: a version 1 length fits 16 bits, and the two high zero bytes setUint32 would add
  // are overwritten by the header text.
  // Stryker disable next-line ConditionalExpression: see above
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  // Stryker disable next-line EqualityOperator: equivalent: head[preamble + header.length] is past the end; dropped.
  for (let j = 0; j < header.length; j++) head[preamble + j] = header.charCodeAt(j);
  return [head, bytes];
}

export async function writeNpy(path: string, array: TensorInput): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}
