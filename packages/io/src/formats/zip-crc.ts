/**
 * The CRC-32 of every member as the zip central directory records it, so inflated members can
 * be checked (fflate inflates but does not verify). Returns undefined when the directory
 * cannot be walked; the caller then relies on fflate's own error.
 */
export function centralDirectoryCrcs(zip: Uint8Array): Map<string, number> | undefined {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // End of central directory: 22 bytes plus a comment of up to 65535.
  let eocd = -1;
  for (let i = zip.byteLength - 22; i >= 0 && i >= zip.byteLength - 22 - 65535; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let count = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  // Zip64 locator just before the EOCD.
  if (eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true));
    if (z64 + 56 > zip.byteLength || dv.getUint32(z64, true) !== 0x06064b50) return undefined;
    count = Number(dv.getBigUint64(z64 + 32, true));
    at = Number(dv.getBigUint64(z64 + 48, true));
  }
  // Each record is at least 46 bytes: a larger count is corrupt (and would loop for long).
  if (count > zip.byteLength / 46) return undefined;
  const out = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.byteLength || dv.getUint32(at, true) !== 0x02014b50) return undefined;
    const crc = dv.getUint32(at + 16, true);
    const nameLength = dv.getUint16(at + 28, true);
    const extra = dv.getUint16(at + 30, true);
    const comment = dv.getUint16(at + 32, true);
    if (at + 46 + nameLength > zip.byteLength) return undefined;
    out.set(decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)), crc);
    at += 46 + nameLength + extra + comment;
  }
  return out;
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
