import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SaekitError } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  type Dtype,
  encodeSafetensors,
  FormatError,
  parseSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  readSafetensorsTensor,
  writeSafetensors,
} from '../src/index.js';
import { expected, fixture, randomFloats, withTempDir } from './helpers.js';

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A file with a hand-made header, to test validation. */
function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

describe('safetensors fixtures written by numpy (independent implementation)', () => {
  const names = ['f32', 'f16', 'bf16', 'f64', 'i32', 'i64', 'u8', 'bool', 'empty', 'scalar'];
  it('reads every tensor with the values and shapes numpy recorded, and __metadata__', async () => {
    const file = await readSafetensors(fixture('safetensors', 'mixed.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt', note: 'written by make_fixtures.py' });
    expect(Object.keys(file.tensors).sort()).toEqual([...names].sort());
    for (const name of names) {
      const want = expected(`safetensors/${name}`);
      const t = file.tensors[name];
      expect(t.shape, name).toEqual(want.shape);
      const got = Array.from(t.data as ArrayLike<number | bigint>, Number);
      expect(got, name).toEqual(want.values);
    }
    expect(file.tensors['bf16'].dtype).toBe('BF16');
    expect(file.tensors['bf16'].data).toBeInstanceOf(Float32Array);
    expect(file.tensors['f16'].data).toBeInstanceOf(Float32Array);
    expect(file.tensors['f64'].data).toBeInstanceOf(Float32Array);
    expect(file.tensors['i32'].data).toBeInstanceOf(Int32Array);
    expect(file.tensors['i64'].data).toBeInstanceOf(BigInt64Array);
    expect(file.tensors['bool'].data).toBeInstanceOf(Uint8Array);
  });

  it('reads one named tensor with the same values', async () => {
    const t = await readSafetensorsTensor(fixture('safetensors', 'mixed.safetensors'), 'bf16');
    expect(Array.from(t.data as Float32Array)).toEqual(expected('safetensors/bf16').values);
  });
});

describe('safetensors round trips', () => {
  const floatDtypes: Dtype[] = ['F32', 'F16', 'BF16', 'F64'];
  for (const dtype of floatDtypes) {
    it(`Float32 data written as ${dtype} reads back; a second round trip is bit-identical`, async () => {
      await withTempDir(async (dir) => {
        const data = randomFloats(6 * 7, 3);
        const p1 = join(dir, 'a.safetensors');
        await writeSafetensors(p1, { x: { dtype, shape: [6, 7], data } }, { k: 'v' });
        const once = await readSafetensors(p1);
        expect(once.metadata).toEqual({ k: 'v' });
        const back = once.tensors['x'].data as Float32Array;
        expect(once.tensors['x'].dtype).toBe(dtype);
        for (let i = 0; i < data.length; i++) {
          const tol = dtype === 'F16' ? 4e-3 : dtype === 'BF16' ? 3e-2 : 0;
          expect(Math.abs(back[i] - data[i])).toBeLessThanOrEqual(tol * Math.abs(data[i]) + 1e-7);
        }
        const p2 = join(dir, 'b.safetensors');
        await writeSafetensors(p2, { x: { dtype, shape: [6, 7], data: back } }, { k: 'v' });
        expect(Buffer.compare(await readFile(p1), await readFile(p2))).toBe(0);
      });
    });
  }

  it('integer dtypes round-trip exactly', async () => {
    await withTempDir(async (dir) => {
      const tensors = {
        i8: { shape: [3], data: Int8Array.from([-128, 0, 127]) },
        u8: { shape: [3], data: Uint8Array.from([0, 1, 255]) },
        bool: { dtype: 'BOOL' as const, shape: [2], data: Uint8Array.from([1, 0]) },
        i16: { shape: [2], data: Int16Array.from([-32768, 32767]) },
        u16: { shape: [2], data: Uint16Array.from([0, 65535]) },
        i32: { shape: [2, 1], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
        u32: { shape: [1], data: Uint32Array.from([2 ** 32 - 1]) },
        i64: { shape: [1], data: BigInt64Array.from([-(2n ** 63n)]) },
        u64: { shape: [1], data: BigUint64Array.from([2n ** 64n - 1n]) },
      };
      const path = join(dir, 'ints.safetensors');
      await writeSafetensors(path, tensors);
      const back = await readSafetensors(path);
      for (const [name, t] of Object.entries(tensors)) {
        expect(back.tensors[name].shape, name).toEqual(t.shape);
        expect(Array.from(back.tensors[name].data as ArrayLike<unknown>), name).toEqual(
          Array.from(t.data as ArrayLike<unknown>),
        );
      }
      expect(back.tensors['bool'].dtype).toBe('BOOL');
    });
  });

  it('C64 and the byte-packed float dtypes (F8_*, F4, F6_*) round-trip their raw values', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'odd.safetensors');
      const raw = Uint8Array.from([0x38, 0x7e, 0xb8, 0x01]);
      const tensors = {
        c64: { dtype: 'C64' as const, shape: [2], data: Float32Array.of(1, -2, 3.5, 4) },
        e4m3: { dtype: 'F8_E4M3' as const, shape: [4], data: raw },
        e5m2: { dtype: 'F8_E5M2' as const, shape: [4], data: raw },
        e8m0: { dtype: 'F8_E8M0' as const, shape: [4], data: raw },
        f4: { dtype: 'F4' as const, shape: [8], data: raw },
        f6a: { dtype: 'F6_E2M3' as const, shape: [4], data: raw.subarray(0, 3) },
        f6b: { dtype: 'F6_E3M2' as const, shape: [4], data: raw.subarray(0, 3) },
      };
      await writeSafetensors(path, tensors);
      const back = (await readSafetensors(path)).tensors;
      expect(back['c64'].data).toEqual(Float32Array.of(1, -2, 3.5, 4));
      expect(Array.from(back['e4m3'].data as Float32Array)).toEqual([1, 448, -1, 2 ** -9]);
      expect(back['f4'].data).toEqual(raw);
      expect(back['f6a'].data).toEqual(raw.subarray(0, 3));
      const again = join(dir, 'again.safetensors');
      await writeSafetensors(again, {
        f4: { dtype: 'F4', shape: [8], data: back['f4'].data },
        c64: { dtype: 'C64', shape: [2], data: back['c64'].data },
      });
      expect((await readSafetensors(again)).tensors['c64'].data).toEqual(
        Float32Array.of(1, -2, 3.5, 4),
      );
    });
  });

  it('writes the data section 8-byte aligned and readable header', async () => {
    const bytes = concat(encodeSafetensors({ a: { shape: [1], data: Float32Array.of(1) } }));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(parseSafetensors(bytes).tensors['a'].data).toEqual(Float32Array.of(1));
  });

  it('decodes fp8 (e4m3fn, e5m2, e8m0) to known values', () => {
    const bytes = withHeader(
      {
        a: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] },
        b: { dtype: 'F8_E5M2', shape: [3], data_offsets: [4, 7] },
        c: { dtype: 'F8_E8M0', shape: [2], data_offsets: [7, 9] },
      },
      9,
    );
    bytes.set([0x38, 0x7e, 0xb8, 0x7f, 0x3c, 0x7b, 0x7c, 127, 130], bytes.byteLength - 9);
    const t = parseSafetensors(bytes).tensors;
    expect(Array.from(t['a'].data as Float32Array)).toEqual([1, 448, -1, Number.NaN]);
    expect(Array.from(t['b'].data as Float32Array)).toEqual([1, 57344, Number.POSITIVE_INFINITY]);
    expect(Array.from(t['c'].data as Float32Array)).toEqual([1, 8]);
  });

  it('the writer is atomic: a failed write leaves the old file and no temp files', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'w.safetensors');
      await writeSafetensors(path, { a: { shape: [2], data: Float32Array.of(1, 2) } });
      const before = await readFile(path);
      await expect(
        writeSafetensors(path, { a: { shape: [3], data: Float32Array.of(1, 2) } }),
      ).rejects.toThrow(/do not match shape/);
      expect(Buffer.compare(await readFile(path), before)).toBe(0);
      expect(await readdir(dir)).toEqual(['w.safetensors']);
    });
  });
});

describe('reading one tensor from a big file touches only its bytes', () => {
  it('reads the header and exactly that byte range', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'big.safetensors');
      const big = new Float32Array(4 << 20); // 16 MiB
      const small = Float32Array.of(1, 2, 3);
      await writeSafetensors(path, {
        big: { shape: [big.length], data: big },
        small: { shape: [3], data: small },
      });
      const handle = await open(path, 'r');
      const proto = Object.getPrototypeOf(handle) as {
        read: (...a: unknown[]) => Promise<{ bytesRead: number }>;
      };
      await handle.close();
      const originalRead = proto.read;
      let bytes = 0;
      proto.read = async function (this: unknown, ...args: unknown[]) {
        const r = await originalRead.apply(this, args);
        bytes += r.bytesRead;
        return r;
      };
      try {
        const t = await readSafetensorsTensor(path, 'small');
        expect(t.data).toEqual(small);
      } finally {
        proto.read = originalRead;
      }
      const header = await readSafetensorsHeader(path);
      expect(bytes).toBe(8 + (header.dataStart - 8) + 12);
      expect((await stat(path)).size).toBeGreaterThan(16 << 20);
    });
  });

  it('names the missing tensor and lists what is there', async () => {
    await expect(
      readSafetensorsTensor(fixture('safetensors', 'mixed.safetensors'), 'nope'),
    ).rejects.toThrow(/no tensor named 'nope' \(has f32, f16/);
  });
});

describe('safetensors validation: every malformed file is a FormatError naming the file', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /no header length/],
    ['short prefix', new Uint8Array(5), /no header length/],
    [
      'header over 100 MB',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 100_000_001n, true);
        return b;
      })(),
      /exceeds the 100 MB limit/,
    ],
    [
      'header longer than the file',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      })(),
      /truncated: header needs 1000 bytes, file has 8/,
    ],
    [
      // The length prefix alone: 8 bytes is a header length, not a truncated prefix.
      'length prefix only',
      (() => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, 2n, true);
        return b;
      })(),
      /truncated: header needs 2 bytes, file has 0/,
    ],
    [
      // Exactly the 100 MB limit is allowed (then found truncated), one more byte is not.
      'header of exactly 100 MB',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 100_000_000n, true);
        return b;
      })(),
      /truncated: header needs 100000000 bytes/,
    ],
    [
      'header length 1',
      (() => {
        const b = new Uint8Array(9);
        new DataView(b.buffer).setBigUint64(0, 1n, true);
        b[8] = 0x7b;
        return b;
      })(),
      /header length 1 is too small for a JSON object/,
    ],
    [
      'header not UTF-8',
      (() => {
        const b = withHeader({ a: 1 }, 0);
        b[9] = 0xff;
        return b;
      })(),
      /header is not valid UTF-8/,
    ],
    [
      // The spec (and the reference reader) want the object's brace first: no leading blanks.
      'header with a leading space',
      (() => {
        const b = withHeader({ x: 1 }, 0);
        b.set(new TextEncoder().encode(' {}    '), 8);
        return b;
      })(),
      /header does not start with '\{'/,
    ],
    [
      'not JSON',
      (() => {
        const b = withHeader(ok, 8);
        b[9] = 0x7b;
        b[10] = 0x7b;
        return b;
      })(),
      /not valid JSON/,
    ],
    ['JSON array', withHeader([1, 2], 0), /does not start with '\{'|not a JSON object/],
    [
      'unknown dtype',
      withHeader({ a: { dtype: 'F3', shape: [2], data_offsets: [0, 8] } }, 8),
      /unknown dtype "F3"/,
    ],
    [
      'negative dim',
      withHeader({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 8),
      /not a list of sizes/,
    ],
    [
      'size mismatch',
      withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8),
      /8 bytes but shape \[3\] of F32 needs 12/,
    ],
    [
      'out of range',
      withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8),
      /out of bounds/,
    ],
    [
      'overlap',
      withHeader(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
      ),
      /overlap/,
    ],
    [
      // One byte is the smallest overlap there is: an off-by-one bound lets exactly this through.
      'overlap by one byte',
      withHeader(
        {
          a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
          b: { dtype: 'U8', shape: [4], data_offsets: [3, 7] },
        },
        7,
      ),
      /tensor 'b': data_offsets overlap the previous tensor/,
    ],
    [
      'gap',
      withHeader(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        12,
      ),
      /gap before data_offsets 8/,
    ],
    ['trailing bytes', withHeader(ok, 12), /cover 8 bytes but the data section is 12/],
    ['truncated data', withHeader(ok, 4), /out of bounds/],
    ['metadata not strings', withHeader({ __metadata__: { a: 1 } }, 0), /__metadata__ value 'a'/],
    ['entry null', withHeader({ a: null }, 0), /tensor 'a': entry is not an object/],
    ['entry a number', withHeader({ a: 5 }, 0), /tensor 'a': entry is not an object/],
    ['entry an array', withHeader({ a: [] }, 0), /tensor 'a': entry is not an object/],
    ['metadata a string', withHeader({ __metadata__: 'x' }, 0), /__metadata__ is not an object/],
    ['metadata an array', withHeader({ __metadata__: ['x'] }, 0), /__metadata__ is not an object/],
    ...(
      [
        ['offset not an integer', [0, 8.5]],
        ['offset a string', [0, '8']],
        ['negative offset', [-8, 0]],
      ] as const
    ).map(([what, offsets]): [string, Uint8Array, RegExp] => [
      what,
      withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: offsets } }, 8),
      /tensor 'a': data_offsets must be two non-negative integers/,
    ]),
    [
      'reversed offsets',
      withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8),
      /tensor 'a': data_offsets \[8, 0\) reversed/,
    ],
    [
      'sub-byte dtype not filling whole bytes',
      withHeader({ a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, 2),
      /tensor 'a': 3 elements of F4 \(4 bits\) do not fill whole bytes/,
    ],
    [
      'size mismatch after an offset',
      withHeader(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [3], data_offsets: [4, 12] },
        },
        12,
      ),
      /tensor 'b': 8 bytes but shape \[3\] of F32 needs 12/,
    ],
    [
      'bad offsets',
      withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, 8),
      /data_offsets must be two/,
    ],
    [
      'huge shape',
      withHeader({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, 8),
      /not a list of sizes/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, `${what.replace(/\W+/g, '_')}.safetensors`);
        await writeFile(path, bytes);
        for (const read of [() => readSafetensors(path), () => readSafetensorsTensor(path, 'a')]) {
          const error = await read().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(FormatError);
          expect(error).toBeInstanceOf(SaekitError);
          expect((error as FormatError).file).toBe(path);
          expect((error as Error).message).toContain(path);
          expect((error as Error).message).toMatch(message);
        }
      });
    });
  }
});

describe('safetensors edges a reader must accept, and what the writer refuses', () => {
  it('the smallest file is the header {}: no tensors, no metadata', async () => {
    const bytes = withHeader({}, 0);
    expect(parseSafetensors(bytes)).toEqual({ tensors: {} });
    expect(parseSafetensors(bytes).metadata).toBeUndefined();
    await withTempDir(async (dir) => {
      const path = join(dir, 'empty.safetensors');
      await writeFile(path, bytes);
      await expect(readSafetensorsTensor(path, 'a')).rejects.toThrow(
        /no tensor named 'a' \(has none\)/,
      );
    });
  });

  it('entries in any key order, an empty tensor sharing its offset with the next one', () => {
    // Offsets, not key order, place tensors; an empty tensor [4, 4) sorts before [4, 8).
    const bytes = withHeader(
      {
        b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      },
      8,
    );
    new DataView(bytes.buffer).setFloat32(bytes.byteLength - 8, 1.5, true);
    new DataView(bytes.buffer).setFloat32(bytes.byteLength - 4, -2, true);
    const t = parseSafetensors(bytes).tensors;
    expect(t['a'].data).toEqual(Float32Array.of(1.5));
    expect(t['b'].data).toEqual(Float32Array.of(-2));
    expect(t['e'].shape).toEqual([0]);
    expect(t['e'].data).toEqual(new Float32Array(0));
  });

  it('a file written without metadata reads back without metadata (not an empty map)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'plain.safetensors');
      await writeSafetensors(path, { a: { shape: [1], data: Float32Array.of(3) } });
      const file = await readSafetensors(path);
      expect(file.metadata).toBeUndefined();
      expect((await readSafetensorsHeader(path)).metadata).toBeUndefined();
    });
  });

  it("header errors keep the decoder's error as their cause", () => {
    const notUtf8 = withHeader({ a: 1 }, 0);
    notUtf8[9] = 0xff;
    const notJson = withHeader({ a: 1 }, 0);
    notJson[9] = 0x7b;
    for (const bytes of [notUtf8, notJson]) {
      const error = (() => {
        try {
          parseSafetensors(bytes);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('the writer refuses a tensor named __metadata__, a bad shape and data it cannot encode', () => {
    expect(() =>
      encodeSafetensors({ __metadata__: { shape: [1], data: Float32Array.of(1) } }),
    ).toThrow(RangeError);
    expect(() => encodeSafetensors({ a: { shape: [-1], data: Float32Array.of(1) } })).toThrow(
      /tensor 'a': invalid shape/,
    );
    expect(() =>
      encodeSafetensors({ a: { dtype: 'I32', shape: [1], data: Float32Array.of(1) } }),
    ).toThrow(/tensor 'a': cannot write Float32Array as I32/);
  });

  // Each read opens its own handle; one left open per call would exhaust the descriptors of a
  // long conversion. Linux shows a process's descriptors in /proc/self/fd.
  it.skipIf(process.platform !== 'linux')(
    'readers close their file handles, on errors too',
    async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, 'h.safetensors');
        await writeSafetensors(path, { a: { shape: [2], data: Float32Array.of(1, 2) } });
        const open = async () => (await readdir('/proc/self/fd')).length;
        const before = await open();
        for (let i = 0; i < 20; i++) {
          await readSafetensorsHeader(path);
          await readSafetensorsTensor(path, 'a');
          await readSafetensorsTensor(path, 'missing').catch(() => undefined);
        }
        expect(await open()).toBe(before);
      });
    },
  );
});
