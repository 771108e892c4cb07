import { type FileHandle, open } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { Inflate, unzipSync, type Zippable, zipSync } from 'fflate';
import { FormatError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readExactly } from '../util/file.js';
import { asFileSystemError } from '../util/fs-errors.js';
import { encodeNpy, parseNpy, parseNpyInPlace } from './npy.js';
import type { TensorData, TensorInput } from './safetensors.js';
import { centralDirectoryCrcs, crc32 } from './zip-crc.js';
import {
  locateCentralDirectory,
  parseCentralDirectory,
  ZIP_TAIL_BYTES,
  type ZipEntry,
} from './zip-directory.js';

/** Smallest central-directory record; bounds how many members a file of n bytes can list. */
const MIN_CENTRAL_RECORD = 46;
/** Deflate cannot expand more than ~1032:1; anything claiming more is corrupt. */
const MAX_DEFLATE_RATIO = 1100;

/**
 * Validates and decodes an .npz archive (stored or deflated members) held in memory. Member
 * sizes declared in the zip directory are checked against the archive size before anything
 * is allocated, so a corrupt or hostile archive cannot ask for gigabytes.
 */
export function parseNpz(bytes: Uint8Array, file = '<buffer>'): Record<string, TensorData> {
  let members: Record<string, Uint8Array>;
  const declared = new Map<string, number>();
  let count = 0;
  // unreachable bound: fflate reads a record per member back to back, and a count inflated past
  // the real records reads the end-of-directory record and then zeros, which the compression or
  // duplicate-name checks refuse first (tried up to 65535).
  // Stryker disable next-line ArithmeticOperator: see above
  const maxMembers = Math.floor(bytes.byteLength / MIN_CENTRAL_RECORD) + 1;
  try {
    members = unzipSync(bytes, {
      filter: (info) => {
        // Stryker disable next-line ConditionalExpression,EqualityOperator,UpdateOperator: unreachable, see above.
        if (++count > maxMembers)
          throw new FormatError(file, 'zip directory lists too many members');
        if (info.compression !== 0 && info.compression !== 8) {
          throw new FormatError(
            file,
            `member '${info.name}': unsupported compression ${info.compression}`,
          );
        }
        if (info.size > bytes.byteLength) {
          throw new FormatError(file, `member '${info.name}': compressed size exceeds the archive`);
        }
        // Stored members must declare exactly their stored size (below), tighter than any limit.
        // Stryker disable next-line ConditionalExpression: equivalent, see above
        const limit = info.compression === 0 ? info.size : info.size * MAX_DEFLATE_RATIO + 1024;
        if (
          info.originalSize > limit ||
          (info.compression === 0 && info.originalSize !== info.size)
        ) {
          throw new FormatError(
            file,
            `member '${info.name}': declared size ${info.originalSize} is impossible for ${info.size} stored bytes`,
          );
        }
        if (declared.has(info.name)) throw new FormatError(file, `duplicate member '${info.name}'`);
        declared.set(info.name, info.originalSize);
        return true;
      },
    });
  } catch (cause) {
    if (cause instanceof FormatError) throw cause;
    throw new FormatError(file, `not a valid zip archive (${(cause as Error).message})`, { cause });
  }
  const crcs = centralDirectoryCrcs(bytes);
  const out: Record<string, TensorData> = {};
  for (const [name, data] of Object.entries(members)) {
    if (name.endsWith('/')) continue;
    const want = crcs?.get(name);
    // fflate and centralDirectoryCrcs read the same directory, so a CRC is always found; were one
    // missing, the comparison below would refuse the member all the same.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (want === undefined)
      throw new FormatError(file, `member '${name}' has no central directory CRC`);
    if (crc32(data) !== want)
      throw new FormatError(file, `member '${name}': CRC-32 mismatch (corrupt data)`);
    if (data.byteLength !== declared.get(name)) {
      throw new FormatError(
        file,
        `member '${name}': inflated to ${data.byteLength} bytes, directory says ${declared.get(name)}`,
      );
    }
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    out[key] = parseNpy(data, `${file}:${name}`);
  }
  return out;
}

export interface ReadNpzOptions {
  /**
   * Most bytes the members may inflate to, all together, checked against the sizes the zip
   * directory declares before anything is allocated. Default: the machine's total memory.
   */
  readonly maxBytes?: number;
}

/** Compressed bytes handed to the inflater at a time: bounds what one push can produce. */
const INFLATE_CHUNK = 16 * 1024;

/**
 * Reads an .npz archive from disk, member by member: the sizes its zip directory declares
 * are checked (against `maxBytes` and the deflate ratio) before anything is allocated, each
 * member is inflated in small chunks straight into a buffer of its declared size (a member
 * that inflates past it is refused at once), and float32 members are used in place. Peak
 * memory is the declared sizes, not the archive plus copies.
 */
export async function readNpz(
  path: string,
  options: ReadNpzOptions = {},
): Promise<Record<string, TensorData>> {
  const maxBytes = options.maxBytes ?? totalmem();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw asFileSystemError(err, path, 'read');
  }
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, ZIP_TAIL_BYTES);
    const tail = await readExactly(handle, path, size - tailLength, tailLength);
    const loc = locateCentralDirectory(tail, size);
    if (loc === undefined)
      throw new FormatError(path, 'not a valid zip archive (no central directory)');
    const entries = parseCentralDirectory(
      await readExactly(handle, path, loc.offset, loc.size),
      loc.count,
      path,
    ).filter((e) => !e.name.endsWith('/'));
    let total = 0;
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.name)) throw new FormatError(path, `duplicate member '${e.name}'`);
      names.add(e.name);
      checkDeclared(e, size, path);
      total += e.size;
    }
    if (total > maxBytes) {
      throw new FormatError(
        path,
        `members declare ${total} bytes uncompressed, over the ${maxBytes}-byte bound (maxBytes)`,
      );
    }
    const out: Record<string, TensorData> = {};
    for (const e of entries) {
      const bytes = await inflateMember(handle, e, path);
      const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
      out[key] = parseNpyInPlace(bytes, `${path}:${e.name}`);
    }
    return out;
  } finally {
    // Mutation survivor: emptying this block leaks the handle, which no test can observe (it is
    // closed when collected).
    await handle.close();
  }
}

/** Declared sizes that no valid member can have are refused before reading it. */
function checkDeclared(e: ZipEntry, archiveSize: number, file: string): void {
  if (e.method !== 0 && e.method !== 8) {
    throw new FormatError(file, `member '${e.name}': unsupported compression ${e.method}`);
  }
  if (e.localHeaderOffset + e.compressedSize > archiveSize) {
    throw new FormatError(file, `member '${e.name}': compressed size exceeds the archive`);
  }
  // Stryker disable next-line ConditionalExpression: equivalent: a stored member must declare exactly its stored size (below).
  const limit = e.method === 0 ? e.compressedSize : e.compressedSize * MAX_DEFLATE_RATIO + 1024;
  if (e.size > limit || (e.method === 0 && e.size !== e.compressedSize)) {
    throw new FormatError(
      file,
      `member '${e.name}': declared size ${e.size} is impossible for ${e.compressedSize} stored bytes`,
    );
  }
}

/** One member's bytes, inflated into exactly its declared size and CRC-checked. */
async function inflateMember(handle: FileHandle, e: ZipEntry, file: string): Promise<Uint8Array> {
  const local = await readExactly(handle, file, e.localHeaderOffset, 30);
  const ldv = new DataView(local.buffer, local.byteOffset, 30);
  if (ldv.getUint32(0, true) !== 0x04034b50) {
    throw new FormatError(file, `member '${e.name}': bad local header`);
  }
  let at = e.localHeaderOffset + 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
  const end = at + e.compressedSize;
  // 8-byte aligned, so a float32 (or float64) member can be viewed where it lies.
  // Stryker disable next-line ArithmeticOperator: equivalent: a larger backing buffer holds the same view.
  const out = new Uint8Array(new ArrayBuffer(Math.ceil(e.size / 8) * 8), 0, e.size);
  let filled = 0;
  const overflow = () =>
    new FormatError(
      file,
      `member '${e.name}': inflates past its declared size ${e.size} (corrupt or hostile)`,
    );
  if (e.method === 0) {
    await readExactly(handle, file, at, e.size, out);
    filled = e.size;
  } else {
    const inflater = new Inflate((chunk) => {
      if (filled + chunk.byteLength > e.size) throw overflow();
      out.set(chunk, filled);
      filled += chunk.byteLength;
    });
    const buf = new Uint8Array(INFLATE_CHUNK);
    try {
      while (at < end) {
        const n = Math.min(INFLATE_CHUNK, end - at);
        const chunk = await readExactly(handle, file, at, n, buf.subarray(0, n));
        at += n;
        inflater.push(chunk, at >= end);
      }
    } catch (cause) {
      if (cause instanceof FormatError) throw cause;
      throw new FormatError(
        file,
        `member '${e.name}': invalid deflate data (${(cause as Error).message})`,
        {
          cause,
        },
      );
    }
  }
  if (filled !== e.size) {
    throw new FormatError(
      file,
      `member '${e.name}': inflated to ${filled} bytes, directory says ${e.size}`,
    );
  }
  if (crc32(out) !== e.crc)
    throw new FormatError(file, `member '${e.name}': CRC-32 mismatch (corrupt data)`);
  return out;
}

/** Encodes arrays as an .npz archive, members named `<key>.npy`, deflated unless `compress` is false. */
export function encodeNpz(
  arrays: Readonly<Record<string, TensorInput>>,
  options: { compress?: boolean } = {},
): Uint8Array {
  const level = options.compress === false ? 0 : 6;
  const files: Zippable = {};
  for (const [key, array] of Object.entries(arrays)) {
    const chunks = encodeNpy(array);
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    files[`${key}.npy`] = [bytes, { level }];
  }
  return zipSync(files);
}

export async function writeNpz(
  path: string,
  arrays: Readonly<Record<string, TensorInput>>,
  options: { compress?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(path, [encodeNpz(arrays, options)]);
}
