import { FormatError } from '../errors.js';

/** One member as the zip central directory declares it. */
export interface ZipEntry {
  readonly name: string;
  readonly crc: number;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the member's local header. */
  readonly localHeaderOffset: number;
}

/** Where the central directory is, from the end-of-central-directory records. */
export interface ZipDirectoryLocation {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

/** End of central directory (22 bytes) plus a comment of at most 65535, plus zip64 records. */
export const ZIP_TAIL_BYTES = 22 + 65535 + 20 + 56;
/** The smallest central-directory record. */
const MIN_RECORD = 46;
const MAX32 = 0xffffffff;

/**
 * Finds the central directory from `tail`, the last bytes of a file of `fileSize` bytes
 * (ZIP_TAIL_BYTES of them, or the whole file). Undefined when there is no valid record.
 */
export function locateCentralDirectory(
  tail: Uint8Array,
  fileSize: number,
): ZipDirectoryLocation | undefined {
  const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const tailStart = fileSize - tail.byteLength;
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let count = dv.getUint16(eocd + 10, true);
  let size = dv.getUint32(eocd + 12, true);
  let offset = dv.getUint32(eocd + 16, true);
  // Zip64 locator just before the EOCD, pointing at the zip64 EOCD record.
  if (eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true)) - tailStart;
    if (z64 < 0 || z64 + 56 > tail.byteLength || dv.getUint32(z64, true) !== 0x06064b50) {
      return undefined;
    }
    count = Number(dv.getBigUint64(z64 + 32, true));
    size = Number(dv.getBigUint64(z64 + 40, true));
    offset = Number(dv.getBigUint64(z64 + 48, true));
  }
  if (offset + size > fileSize || count > size / MIN_RECORD) return undefined;
  return { count, offset, size };
}

/** The members listed in a central directory (its bytes, `count` records). */
export function parseCentralDirectory(cd: Uint8Array, count: number, file: string): ZipEntry[] {
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const decoder = new TextDecoder();
  const out: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + MIN_RECORD > cd.byteLength || dv.getUint32(at, true) !== 0x02014b50) {
      throw new FormatError(file, `zip central directory record ${i} is corrupt`);
    }
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    const end = at + MIN_RECORD + nameLength + extraLength;
    if (end > cd.byteLength)
      throw new FormatError(file, `zip central directory record ${i} is truncated`);
    let size = dv.getUint32(at + 24, true);
    let compressedSize = dv.getUint32(at + 20, true);
    let localHeaderOffset = dv.getUint32(at + 42, true);
    // Zip64 extra field: the 64-bit values of whichever fields read 0xffffffff, in order.
    for (let e = at + MIN_RECORD + nameLength; e + 4 <= end; ) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let p = e + 4;
        const next = () => {
          const v = p + 8 <= e + 4 + len ? Number(dv.getBigUint64(p, true)) : Number.NaN;
          p += 8;
          return v;
        };
        if (size === MAX32) size = next();
        if (compressedSize === MAX32) compressedSize = next();
        if (localHeaderOffset === MAX32) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    const name = decoder.decode(cd.subarray(at + MIN_RECORD, at + MIN_RECORD + nameLength));
    if (![size, compressedSize, localHeaderOffset].every(Number.isSafeInteger)) {
      throw new FormatError(file, `member '${name}': bad zip64 sizes`);
    }
    out.push({
      name,
      crc: dv.getUint32(at + 16, true),
      method: dv.getUint16(at + 10, true),
      compressedSize,
      size,
      localHeaderOffset,
    });
    at = end + commentLength;
  }
  return out;
}

/** Every member of a whole zip held in memory. Undefined when the directory cannot be found. */
export function zipEntries(zip: Uint8Array, file: string): ZipEntry[] | undefined {
  const loc = locateCentralDirectory(
    zip.subarray(Math.max(0, zip.byteLength - ZIP_TAIL_BYTES)),
    zip.byteLength,
  );
  if (loc === undefined) return undefined;
  return parseCentralDirectory(zip.subarray(loc.offset, loc.offset + loc.size), loc.count, file);
}
