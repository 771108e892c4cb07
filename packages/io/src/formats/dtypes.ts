import { decodeBf16, decodeHalf, encodeBf16, encodeHalf } from '../util/half.js';

/** Every dtype of the safetensors spec. */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;
export type Dtype = (typeof SAFETENSORS_DTYPES)[number];

/**
 * What a dtype becomes in memory. Real floats of every width become Float32Array (saekit
 * computes in f32); C64 becomes interleaved [re, im] Float32Array; the sub-byte float types
 * (F4, F6_*) stay packed bytes because their bit order is framework-specific.
 */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Bits per element. */
export const DTYPE_BITS: Readonly<Record<Dtype, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

/** Floating dtypes that read as one Float32 per element. */
export function isRealFloat(dtype: Dtype): boolean {
  return (
    dtype === 'F16' ||
    dtype === 'BF16' ||
    dtype === 'F32' ||
    dtype === 'F64' ||
    dtype === 'F8_E4M3' ||
    dtype === 'F8_E5M2' ||
    dtype === 'F8_E8M0'
  );
}

/** Bytes that `numel` elements occupy, or undefined when they do not fill whole bytes. */
export function byteLengthOf(dtype: Dtype, numel: number): number | undefined {
  const bits = numel * DTYPE_BITS[dtype];
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0) return undefined;
  return bits / 8;
}

function fp8Table(expBits: number, manBits: number, fn: boolean): Float32Array {
  const t = new Float32Array(256);
  const bias = 2 ** (expBits - 1) - 1;
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    const exp = (b >> manBits) & ((1 << expBits) - 1);
    const man = b & ((1 << manBits) - 1);
    const maxExp = (1 << expBits) - 1;
    if (fn) {
      // e4m3fn: no infinities; only S.1111.111 is NaN.
      if (exp === maxExp && man === (1 << manBits) - 1) {
        t[b] = Number.NaN;
        continue;
      }
    } else if (exp === maxExp) {
      t[b] = man === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
      continue;
    }
    t[b] =
      exp === 0
        ? sign * man * 2 ** (1 - bias - manBits)
        : sign * (1 + man / 2 ** manBits) * 2 ** (exp - bias);
  }
  return t;
}

let e4m3: Float32Array | undefined;
let e5m2: Float32Array | undefined;

function copyAligned(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

function byteswap(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j];
  }
  return out;
}

/**
 * Decodes little-endian (or, with `littleEndian` false, big-endian) element bytes into a
 * fresh typed array. The caller has already checked that the byte count matches the shape.
 */
export function decodeElements(bytes: Uint8Array, dtype: Dtype, littleEndian = true): TensorArray {
  const bits = DTYPE_BITS[dtype];
  if (!littleEndian && bits > 8) {
    // C64 swaps each 4-byte half, not the 8-byte pair.
    bytes = byteswap(bytes, dtype === 'C64' ? 4 : bits / 8);
  }
  switch (dtype) {
    case 'F32':
    case 'C64':
      return new Float32Array(copyAligned(bytes));
    case 'F64':
      return Float32Array.from(new Float64Array(copyAligned(bytes)));
    case 'F16': {
      const out = new Float32Array(bytes.byteLength / 2);
      decodeHalf(new Uint16Array(copyAligned(bytes)), out);
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(bytes.byteLength / 2);
      decodeBf16(new Uint16Array(copyAligned(bytes)), out);
      return out;
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      e4m3 ??= fp8Table(4, 3, true);
      e5m2 ??= fp8Table(5, 2, false);
      const t = dtype === 'F8_E4M3' ? e4m3 : e5m2;
      const out = new Float32Array(bytes.byteLength);
      for (let i = 0; i < bytes.byteLength; i++) out[i] = t[bytes[i]];
      return out;
    }
    case 'F8_E8M0': {
      const out = new Float32Array(bytes.byteLength);
      for (let i = 0; i < bytes.byteLength; i++) {
        out[i] = bytes[i] === 0xff ? Number.NaN : 2 ** (bytes[i] - 127);
      }
      return out;
    }
    case 'BOOL':
    case 'U8':
    case 'F4':
    case 'F6_E2M3':
    case 'F6_E3M2':
      return new Uint8Array(copyAligned(bytes));
    case 'I8':
      return new Int8Array(copyAligned(bytes));
    case 'I16':
      return new Int16Array(copyAligned(bytes));
    case 'U16':
      return new Uint16Array(copyAligned(bytes));
    case 'I32':
      return new Int32Array(copyAligned(bytes));
    case 'U32':
      return new Uint32Array(copyAligned(bytes));
    case 'I64':
      return new BigInt64Array(copyAligned(bytes));
    case 'U64':
      return new BigUint64Array(copyAligned(bytes));
  }
}

/** The dtype an array is written as when the caller does not say. */
export function defaultDtypeOf(data: TensorArray): Dtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int8Array) return 'I8';
  if (data instanceof Uint8Array) return 'U8';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Uint16Array) return 'U16';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint32Array) return 'U32';
  if (data instanceof BigInt64Array) return 'I64';
  return 'U64';
}

function bytesOf(a: TensorArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Little-endian bytes of `data` as `dtype`. Float data converts to any real float width
 * (round to nearest even); integer data must already be the matching typed array.
 * Returns undefined when the pairing makes no sense (the caller names the tensor).
 */
export function encodeElements(data: TensorArray, dtype: Dtype): Uint8Array | undefined {
  const isFloatData = data instanceof Float32Array || data instanceof Float64Array;
  switch (dtype) {
    case 'F32':
    case 'C64':
      if (data instanceof Float32Array) return bytesOf(data);
      if (data instanceof Float64Array) return bytesOf(Float32Array.from(data));
      return undefined;
    case 'F64':
      if (data instanceof Float64Array) return bytesOf(data);
      if (data instanceof Float32Array) return bytesOf(Float64Array.from(data));
      return undefined;
    case 'F16':
    case 'BF16': {
      if (!isFloatData) return undefined;
      const src = data instanceof Float32Array ? data : Float32Array.from(data);
      const out = new Uint16Array(src.length);
      if (dtype === 'F16') encodeHalf(src, out);
      else encodeBf16(src, out);
      return bytesOf(out);
    }
    case 'F8_E4M3':
    case 'F8_E5M2':
    case 'F8_E8M0':
    case 'F4':
    case 'F6_E2M3':
    case 'F6_E3M2':
      // Written only as raw bytes the caller already packed.
      return data instanceof Uint8Array ? bytesOf(data) : undefined;
    case 'BOOL':
    case 'U8':
      return data instanceof Uint8Array ? bytesOf(data) : undefined;
    case 'I8':
      return data instanceof Int8Array ? bytesOf(data) : undefined;
    case 'I16':
      return data instanceof Int16Array ? bytesOf(data) : undefined;
    case 'U16':
      return data instanceof Uint16Array ? bytesOf(data) : undefined;
    case 'I32':
      return data instanceof Int32Array ? bytesOf(data) : undefined;
    case 'U32':
      return data instanceof Uint32Array ? bytesOf(data) : undefined;
    case 'I64':
      return data instanceof BigInt64Array ? bytesOf(data) : undefined;
    case 'U64':
      return data instanceof BigUint64Array ? bytesOf(data) : undefined;
  }
}

/** Product of a shape, or undefined if any dimension is invalid or the product unsafe. */
export function numelOf(shape: readonly unknown[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}
