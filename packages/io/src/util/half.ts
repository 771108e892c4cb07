/**
 * IEEE half (f16) and bfloat16 conversions. Decoding goes through a 64 Ki-entry table because
 * activation shards are decoded in bulk; encoding rounds to nearest even like numpy and torch.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let halfTable: Float32Array | undefined;

/** f16 bit pattern → f32 value, for all 65536 patterns. */
export function halfToFloatTable(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloat(h);
  }
  return halfTable;
}

/** f32 value → f16 bit pattern, round to nearest even, overflow to ±inf, NaN kept NaN. */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  // Unbiased exponent re-biased for half.
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const halfMant = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    const round = rem > mid || (rem === mid && (halfMant & 1) === 1) ? 1 : 0;
    return sign | (halfMant + round);
  }
  const halfMant = mant >>> 13;
  const rem = mant & 0x1fff;
  const round = rem > 0x1000 || (rem === 0x1000 && (halfMant & 1) === 1) ? 1 : 0;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  return sign | ((e << 10) + halfMant + round);
}

/** f32 value → bf16 bit pattern, round to nearest even, NaN kept (quiet) NaN. */
export function floatToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function decodeHalf(src: Uint16Array, dst: Float32Array): void {
  const t = halfToFloatTable();
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i]];
}

export function decodeBf16(src: Uint16Array, dst: Float32Array): void {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
}

export function encodeHalf(src: Float32Array, dst: Uint16Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = floatToHalfBits(src[i]);
}

export function encodeBf16(src: Float32Array, dst: Uint16Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = floatToBf16Bits(src[i]);
}

/**
 * decodeHalf and decodeBf16 that also report the first non-finite element (exponent bits all
 * ones), checked on the source bits in the same pass. Returns its index or -1.
 */
export function decodeHalfChecked(src: Uint16Array, dst: Float32Array): number {
  const t = halfToFloatTable();
  let bad = -1;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    dst[i] = t[h];
    if ((h & 0x7c00) === 0x7c00 && bad < 0) bad = i;
  }
  return bad;
}

export function decodeBf16Checked(src: Uint16Array, dst: Float32Array): number {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  let bad = -1;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    out[i] = h << 16;
    if ((h & 0x7f80) === 0x7f80 && bad < 0) bad = i;
  }
  return bad;
}
