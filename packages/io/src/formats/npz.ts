import { readFile } from 'node:fs/promises';
import { unzipSync, type Zippable, zipSync } from 'fflate';
import { FormatError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { encodeNpy, parseNpy } from './npy.js';
import type { TensorData, TensorInput } from './safetensors.js';
import { centralDirectoryCrcs, crc32 } from './zip-crc.js';

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
  const maxMembers = Math.floor(bytes.byteLength / MIN_CENTRAL_RECORD) + 1;
  try {
    members = unzipSync(bytes, {
      filter: (info) => {
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

export async function readNpz(path: string): Promise<Record<string, TensorData>> {
  return parseNpz(await readFile(path), path);
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
