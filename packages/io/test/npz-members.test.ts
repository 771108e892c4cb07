// .npz archives member by member: names, stored and deflated members, members that are not
// .npy, and zip directories whose declared methods and sizes cannot be right. Both readers
// run each case: parseNpz (archive in memory, fflate's unzip) and readNpz (from disk, our own
// directory walk and chunked inflate).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Zippable, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  encodeNpy,
  encodeNpz,
  FileSystemError,
  FormatError,
  parseNpz,
  readNpz,
  type TensorData,
} from '../src/index.js';
import { randomFloats, withTempDir } from './helpers.js';

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const npyBytes = (shape: number[], data: Float32Array | Int32Array) =>
  new Uint8Array(Buffer.concat(encodeNpy({ shape, data })));

/** An .npy file whose header text is exactly `header` (no padding) followed by `data`. */
function rawNpy(header: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

function zip(members: Record<string, Uint8Array>, level: 0 | 6 = 6): Uint8Array {
  const files: Zippable = {};
  for (const [name, bytes] of Object.entries(members)) files[name] = [bytes, { level }];
  return zipSync(files);
}

/** Offsets of the central-directory records, in order. */
function centralRecords(z: Uint8Array): number[] {
  const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const out: number[] = [];
  for (let at = 0; at + 46 <= z.byteLength; at++) {
    if (dv.getUint32(at, true) === CENTRAL) {
      out.push(at);
      at += 45 + dv.getUint16(at + 28, true);
    }
  }
  return out;
}

/** Rewrites a field of member `k` in its central record and, where given, its local header. */
function patch(
  z: Uint8Array,
  k: number,
  field: { central: number; local?: number; bytes: 2 | 4 },
  value: number,
): Uint8Array {
  const out = z.slice();
  const dv = new DataView(out.buffer);
  const c = centralRecords(out)[k];
  const set = (at: number) =>
    field.bytes === 2 ? dv.setUint16(at, value, true) : dv.setUint32(at, value, true);
  set(c + field.central);
  if (field.local !== undefined) set(dv.getUint32(c + 42, true) + field.local);
  return out;
}
const METHOD = { central: 10, local: 8, bytes: 2 } as const;
const COMPRESSED = { central: 20, bytes: 4 } as const;
const SIZE = { central: 24, bytes: 4 } as const;

function field(z: Uint8Array, k: number, f: { central: number; bytes: 2 | 4 }): number {
  const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const at = centralRecords(z)[k] + f.central;
  return f.bytes === 2 ? dv.getUint16(at, true) : dv.getUint32(at, true);
}

/** Both readers' results, which must agree. */
async function readBoth(z: Uint8Array): Promise<Record<string, TensorData>> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'a.npz');
    await writeFile(path, z);
    const fromDisk = await readNpz(path);
    const inMemory = parseNpz(z, path);
    expect(Object.keys(fromDisk).sort()).toEqual(Object.keys(inMemory).sort());
    for (const key of Object.keys(inMemory)) {
      expect(fromDisk[key].shape).toEqual(inMemory[key].shape);
      expect(Array.from(fromDisk[key].data as Float32Array)).toEqual(
        Array.from(inMemory[key].data as Float32Array),
      );
    }
    return fromDisk;
  });
}

/** The FormatError messages of [readNpz, parseNpz], after the archive path. */
async function refusals(z: Uint8Array, options = {}): Promise<[string, string]> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'bad.npz');
    await writeFile(path, z);
    const out: string[] = [];
    for (const read of [() => readNpz(path, options), async () => parseNpz(z, path)]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FormatError);
      const message = (error as Error).message;
      expect(message.startsWith(path)).toBe(true);
      out.push(message.slice(path.length));
    }
    return out as [string, string];
  });
}

describe('.npz member names', () => {
  it("keys drop one '.npy' suffix, keep other names, and skip directory entries", async () => {
    const a = npyBytes([2], Float32Array.of(1, 2));
    const got = await readBoth(
      zip({ 'a.npy': a, b: a, 'c.npy.npy': a, 'dir/': new Uint8Array(0) }),
    );
    expect(Object.keys(got).sort()).toEqual(['a', 'b', 'c.npy']);
    expect(Array.from(got['b'].data as Float32Array)).toEqual([1, 2]);
  });

  it('a member that is not .npy is refused, naming the archive and the member', async () => {
    const z = zip({
      'a.npy': npyBytes([1], Float32Array.of(1)),
      'notes.txt': new TextEncoder().encode('hello, world'),
    });
    for (const message of await refusals(z))
      expect(message).toBe(':notes.txt: bad magic: not a .npy file');
  });

  it('a duplicated member name is refused', async () => {
    const a = npyBytes([1], Float32Array.of(1));
    const z = zip({ 'a.npy': a, 'b.npy': a }, 0);
    // Rename b.npy to a.npy in its local header and central record.
    const bytes = Buffer.from(z);
    for (let at = bytes.indexOf('b.npy'); at >= 0; at = bytes.indexOf('b.npy', at + 1))
      bytes[at] = 0x61;
    const [disk, memory] = await refusals(new Uint8Array(bytes));
    expect(disk).toBe(": duplicate member 'a.npy'");
    expect(memory).toBe(disk);
  });
});

describe('.npz stored and deflated members', () => {
  const w = randomFloats(300);
  const n = Int32Array.from({ length: 50 }, (_, i) => i * 7 - 100);
  const members = { 'w.npy': npyBytes([20, 15], w), 'n.npy': npyBytes([50], n) };

  for (const [level, method] of [
    [0, 0],
    [6, 8],
  ] as const) {
    it(`reads method ${method} members`, async () => {
      const z = zip(members, level);
      expect(field(z, 0, METHOD)).toBe(method);
      expect(field(z, 1, METHOD)).toBe(method);
      const got = await readBoth(z);
      expect(got['w'].data).toEqual(w);
      expect(got['w'].shape).toEqual([20, 15]);
      expect(got['n'].data).toEqual(n);
    });
  }

  it('encodeNpz deflates unless compress is false', async () => {
    const arrays = { w: { shape: [20, 15], data: w } };
    expect(field(encodeNpz(arrays), 0, METHOD)).toBe(8);
    expect(field(encodeNpz(arrays, { compress: true }), 0, METHOD)).toBe(8);
    const plain = encodeNpz(arrays, { compress: false });
    expect(field(plain, 0, METHOD)).toBe(0);
    expect((await readBoth(plain))['w'].data).toEqual(w);
  });

  it('reads a deflated member spanning many 16 KiB input chunks', async () => {
    const big = randomFloats(40_000, 7);
    const z = zip({ 'big.npy': npyBytes([200, 200], big) });
    expect(field(z, 0, COMPRESSED)).toBeGreaterThan(3 * 16 * 1024);
    expect((await readBoth(z))['big'].data).toEqual(big);
  });

  it('float32 members read from disk are views of the inflated bytes, not copies', async () => {
    const z = zip(members);
    const got = await readBoth(z);
    const data = got['w'].data as Float32Array;
    // The view starts after the member's .npy header, inside the member's buffer.
    const headerBytes = members['w.npy'].byteLength - 1200;
    expect(data.byteOffset).toBe(headerBytes);
    expect(data.buffer.byteLength).toBeGreaterThanOrEqual(headerBytes + 1200);
  });

  it('big-endian, Fortran-order and misaligned float32 members are decoded, not viewed', async () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const le = new Uint8Array(Float32Array.of(1, 4, 2, 5, 3, 6).buffer);
    const z = zip({
      'be.npy': rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", be),
      'f.npy': rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", le),
      // A 55-character header: the data starts at byte 65, not a multiple of 4.
      'odd.npy': rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", be),
    });
    const got = await readBoth(z);
    expect(Array.from(got['be'].data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(got['f'].data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const odd = new DataView(be.buffer);
    expect(Array.from(got['odd'].data as Float32Array)).toEqual([
      odd.getFloat32(0, true),
      odd.getFloat32(4, true),
    ]);
  });
});

describe('.npz directories that cannot be right', () => {
  it('bytes that are not a zip archive are a FormatError with the cause kept', async () => {
    const junk = new TextEncoder().encode('this is not a zip archive at all, just some text');
    const error = (() => {
      try {
        parseNpz(junk, 'junk.npz');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(FormatError);
    expect(error?.message).toMatch(/^junk\.npz: not a valid zip archive \(/);
    expect(error?.cause).toBeInstanceOf(Error);
    const [disk] = await refusals(junk);
    expect(disk).toBe(': not a valid zip archive (no central directory)');
  });

  it('a missing file is a FileSystemError naming it', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'missing.npz');
      const error = await readNpz(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FileSystemError);
      expect((error as FileSystemError).code).toBe('ENOENT');
      expect((error as Error).message).toContain(path);
    });
  });

  const a = npyBytes([40], randomFloats(40));
  const stored = zip({ 'a.npy': a }, 0);
  const deflated = zip({ 'a.npy': new Uint8Array(npyBytes([400], new Float32Array(400))) });

  it('refuses compression methods other than stored and deflate', async () => {
    for (const message of await refusals(patch(stored, 0, METHOD, 12))) {
      expect(message).toBe(": member 'a.npy': unsupported compression 12");
    }
  });

  it('refuses a stored member whose declared size differs from its stored bytes', async () => {
    const size = field(stored, 0, SIZE);
    const [disk] = await refusals(patch(stored, 0, SIZE, size + 1));
    expect(disk).toBe(
      `: member 'a.npy': declared size ${size + 1} is impossible for ${size} stored bytes`,
    );
    const [smaller, memory] = await refusals(patch(stored, 0, SIZE, size - 1));
    expect(smaller).toMatch(/declared size .* is impossible/);
    expect(memory).toBe(smaller);
  });

  it('refuses a compressed size reaching past the end of the archive', async () => {
    // Measured from the member's local header, at offset 0: it may end at the archive's end.
    const end = stored.byteLength;
    const [atEnd] = await refusals(patch(stored, 0, COMPRESSED, end));
    expect(atEnd).toMatch(/declared size .* is impossible/);
    const [past] = await refusals(patch(stored, 0, COMPRESSED, end + 1));
    expect(past).toBe(": member 'a.npy': compressed size exceeds the archive");
    const [, memoryAtEnd] = await refusals(patch(stored, 0, COMPRESSED, end));
    expect(memoryAtEnd).not.toMatch(/exceeds/);
    const [, memory] = await refusals(patch(stored, 0, COMPRESSED, end + 1));
    expect(memory).toBe(": member 'a.npy': compressed size exceeds the archive");
  });

  it('refuses a deflated member declaring more than 1100:1 (+1 KiB)', async () => {
    const cs = field(deflated, 0, COMPRESSED);
    const limit = cs * 1100 + 1024;
    const [disk, memory] = await refusals(patch(deflated, 0, SIZE, limit + 1));
    expect(disk).toBe(
      `: member 'a.npy': declared size ${limit + 1} is impossible for ${cs} stored bytes`,
    );
    expect(memory).toBe(disk);
    // At the limit the size is possible; the member then inflates to fewer bytes than declared.
    const [atLimit, memoryAtLimit] = await refusals(patch(deflated, 0, SIZE, limit));
    expect(memoryAtLimit).not.toMatch(/impossible/);
    expect(atLimit).toBe(
      `: member 'a.npy': inflated to ${field(deflated, 0, SIZE)} bytes, directory says ${limit}`,
    );
  });

  it('a deflated member that inflates past its declared size is cut off', async () => {
    const size = field(deflated, 0, SIZE);
    const [disk, memory] = await refusals(patch(deflated, 0, SIZE, size - 1));
    expect(disk).toBe(
      `: member 'a.npy': inflates past its declared size ${size - 1} (corrupt or hostile)`,
    );
    expect(memory).toMatch(/member 'a\.npy'/);
  });

  it('refuses invalid deflate data and a bad local header', async () => {
    const garbled = deflated.slice();
    const ldv = new DataView(garbled.buffer);
    const dataStart = 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
    // BTYPE 11 is reserved: no valid deflate stream starts with 0xff.
    garbled.fill(0xff, dataStart, dataStart + 4);
    const [disk] = await refusals(garbled);
    expect(disk).toMatch(/^: member 'a\.npy': invalid deflate data \(/);
    await withTempDir(async (dir) => {
      const path = join(dir, 'garbled.npz');
      await writeFile(path, garbled);
      const error = await readNpz(path).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.cause).toBeInstanceOf(Error);
    });
    // A stream cut short (compressed size shortened) must be reported as such at its end.
    const cs = field(deflated, 0, COMPRESSED);
    const [cut] = await refusals(patch(deflated, 0, COMPRESSED, cs - 4));
    expect(cut).toMatch(/^: member 'a\.npy': invalid deflate data \(/);
    const local = deflated.slice();
    expect(new DataView(local.buffer).getUint32(0, true)).toBe(LOCAL);
    local[0] = 0;
    // fflate (parseNpz) goes by the central directory alone; the CRC still guards the data.
    await withTempDir(async (dir) => {
      const path = join(dir, 'local.npz');
      await writeFile(path, local);
      await expect(readNpz(path)).rejects.toThrow(`${path}: member 'a.npy': bad local header`);
    });
  });

  it('maxBytes bounds the declared total: equal passes, one byte less is refused', async () => {
    const z = zip({ 'a.npy': a, 'b.npy': a });
    const total = 2 * a.byteLength;
    await withTempDir(async (dir) => {
      const path = join(dir, 'm.npz');
      await writeFile(path, z);
      expect(Object.keys(await readNpz(path, { maxBytes: total }))).toHaveLength(2);
      await expect(readNpz(path, { maxBytes: total - 1 })).rejects.toThrow(
        `members declare ${total} bytes uncompressed, over the ${total - 1}-byte bound (maxBytes)`,
      );
    });
  });
});
