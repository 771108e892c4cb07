import type { FileHandle } from 'node:fs/promises';
import { FormatError } from '../errors.js';

/** Reads exactly `length` bytes at `position`, or fails naming the file as truncated. */
export async function readExactly(
  handle: FileHandle,
  file: string,
  position: number,
  length: number,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const out = into ?? new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new FormatError(
        file,
        `truncated: wanted ${length} bytes at offset ${position}, file ends after ${done}`,
      );
    }
    done += bytesRead;
  }
  return out;
}
