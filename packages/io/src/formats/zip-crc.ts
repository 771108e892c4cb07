import { zipEntries } from './zip-directory.js';

/**
 * The CRC-32 of every member as the zip central directory records it, so inflated members can
 * be checked (fflate inflates but does not verify). Returns undefined when the directory
 * cannot be walked; the caller then relies on fflate's own error.
 */
export function centralDirectoryCrcs(zip: Uint8Array): Map<string, number> | undefined {
  try {
    const entries = zipEntries(zip, '<zip>');
    return entries && new Map(entries.map((e) => [e.name, e.crc]));
  } catch {
    return undefined;
  }
}

let table: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
