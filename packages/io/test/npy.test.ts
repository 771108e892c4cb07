import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Dtype,
  encodeNpy,
  FormatError,
  parseNpy,
  readNpy,
  readNpyHeader,
  readNpz,
  type TensorArray,
  writeNpy,
  writeNpz,
} from '../src/index.js';
import { expected, fixture, randomFloats, withTempDir } from './helpers.js';

const values = (a: TensorArray) => Array.from(a as ArrayLike<number | bigint>, Number);

describe('.npy fixtures written by numpy', () => {
  const files = [
    'f4_c',
    'f4_big_endian',
    'f4_fortran_2d',
    'f4_fortran_3d',
    'f4_v2',
    'f4_v3',
    'f2',
    'f2_big_endian',
    'f8',
    'bool',
    'scalar_0d',
    'empty_0x5',
    ...['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'].flatMap((c) => [c, `${c}_big_endian`]),
  ];
  for (const name of files) {
    it(`${name}.npy reads to numpy's C-order values and shape`, async () => {
      const want = expected(`npy/${name}.npy`);
      const got = await readNpy(fixture('npy', `${name}.npy`));
      expect(got.shape).toEqual(want.shape);
      expect(values(got.data)).toEqual(want.values);
    });
  }

  it('maps numpy dtypes to typed arrays', async () => {
    expect((await readNpy(fixture('npy', 'f2.npy'))).data).toBeInstanceOf(Float32Array);
    expect((await readNpy(fixture('npy', 'f8.npy'))).data).toBeInstanceOf(Float32Array);
    expect((await readNpy(fixture('npy', 'i2_big_endian.npy'))).data).toBeInstanceOf(Int16Array);
    expect((await readNpy(fixture('npy', 'u8.npy'))).data).toBeInstanceOf(BigUint64Array);
    const b = await readNpy(fixture('npy', 'bool.npy'));
    expect(b.dtype).toBe('BOOL');
    expect(b.data).toBeInstanceOf(Uint8Array);
  });

  it('reads only the header for streaming (offset, shape, order)', async () => {
    const h = await readNpyHeader(fixture('npy', 'f4_big_endian.npy'));
    expect(h).toMatchObject({
      dtype: 'F32',
      littleEndian: false,
      fortranOrder: false,
      shape: [4, 6],
    });
    expect(h.dataStart % 64).toBe(0);
  });
});

describe('.npy writer', () => {
  const cases: [Dtype | undefined, TensorArray, number[]][] = [
    [undefined, randomFloats(12), [3, 4]],
    ['F16', randomFloats(12), [2, 2, 3]],
    ['F64', randomFloats(5), [5]],
    [undefined, Int32Array.from([-5, 0, 9]), [3]],
    [undefined, Int8Array.from([-128, 127]), [2]],
    [undefined, Uint8Array.from([0, 255]), [2]],
    [undefined, Int16Array.from([-32768, 32767]), [2]],
    [undefined, Uint16Array.from([0, 65535]), [1, 2]],
    [undefined, Uint32Array.from([0, 2 ** 32 - 1]), [2]],
    [undefined, BigUint64Array.from([0n, 2n ** 64n - 1n]), [2]],
    [undefined, BigInt64Array.from([-(2n ** 62n), 3n]), [2]],
    ['BOOL', Uint8Array.from([1, 0, 1]), [3]],
    [undefined, Float32Array.of(7), []],
    [undefined, new Float32Array(0), [0, 5]],
  ];
  for (const [dtype, data, shape] of cases) {
    it(`round-trips ${dtype ?? data.constructor.name} shape [${shape}] with data at a multiple of 64`, async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, 'a.npy');
        await writeNpy(path, { dtype, shape, data });
        const bytes = await readFile(path);
        const h = await readNpyHeader(path);
        expect(h.dataStart % 64).toBe(0);
        expect(bytes[6]).toBe(1);
        const back = await readNpy(path);
        expect(back.shape).toEqual(shape);
        if (dtype === 'F16') {
          // f16 rounding: second trip is exact.
          const again = parseNpy(Buffer.concat(encodeNpy({ dtype, shape, data: back.data })));
          expect(values(again.data)).toEqual(values(back.data));
        } else {
          expect(values(back.data)).toEqual(values(data));
        }
      });
    });
  }

  it('switches to version 2.0 when the header does not fit in 64 KiB', () => {
    const shape = Array.from({ length: 25000 }, () => 1);
    const bytes = Buffer.concat(encodeNpy({ shape, data: Float32Array.of(3) }));
    expect(bytes[6]).toBe(2);
    const back = parseNpy(bytes);
    expect(back.shape.length).toBe(25000);
    expect(back.data).toEqual(Float32Array.of(3));
  });
});

describe('.npy validation', () => {
  const header = (dict: string, dataBytes: number, version = 1) => {
    const pre = version === 1 ? 10 : 12;
    const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
    const text = `${dict.padEnd(total - pre - 1)}\n`;
    const out = new Uint8Array(total + dataBytes);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const dv = new DataView(out.buffer);
    if (version === 1) dv.setUint16(8, text.length, true);
    else dv.setUint32(8, text.length, true);
    for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
    return out;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['bad magic', new Uint8Array(64), /bad magic/],
    ['truncated preamble', Uint8Array.of(0x93, 0x4e, 0x55), /truncated/],
    [
      'version 9',
      (() => {
        const b = header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
        b[6] = 9;
        return b;
      })(),
      /unsupported .npy version 9/,
    ],
    [
      'object dtype',
      header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8),
      /object arrays are not supported/,
    ],
    [
      'complex dtype',
      header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),
      /unsupported dtype/,
    ],
    [
      'structured dtype',
      header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4),
      /structured dtypes/,
    ],
    [
      'shape/data mismatch',
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8),
      /needs 12 data bytes, file has 8/,
    ],
    [
      'trailing data',
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8),
      /needs 4 data bytes, file has 8/,
    ],
    ['missing shape', header("{'descr': '<f4', 'fortran_order': False, }", 4), /no tuple 'shape'/],
    ['garbage header', header('{descr: 1}', 4), /malformed .npy header/],
    [
      'header past end',
      (() => {
        const b = header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 0);
        new DataView(b.buffer).setUint16(8, 60000, true);
        return b;
      })(),
      /truncated inside the .npy header/,
    ],
    [
      'v2 header too large',
      (() => {
        const b = header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, 2);
        new DataView(b.buffer).setUint32(8, 2 ** 31, true);
        return b;
      })(),
      /exceeds/,
    ],
    [
      'huge shape',
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", 4),
      /too large/,
    ],
    [
      "'|' on a wide type",
      header("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", 4),
      /'\|' byte order/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what} → FormatError naming the file`, async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, 'bad.npy');
        await writeFile(path, bytes);
        for (const read of [() => readNpy(path), () => readNpyHeader(path)]) {
          const error = await read().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(FormatError);
          expect((error as Error).message).toContain(path);
          expect((error as Error).message).toMatch(message);
        }
      });
    });
  }
});

describe('.npz', () => {
  for (const kind of ['stored', 'deflated']) {
    it(`reads numpy's ${kind} archive`, async () => {
      const z = await readNpz(fixture('npz', `${kind}.npz`));
      expect(Object.keys(z).sort()).toEqual(['a', 'b']);
      expect(values(z['a'].data)).toEqual(expected('npz/a').values);
      expect(z['a'].shape).toEqual(expected('npz/a').shape);
      expect(z['b'].data).toEqual(Int32Array.from([0, 1, 2, 3, 4]));
    });
  }

  for (const compress of [false, true]) {
    it(`round-trips (compress ${compress})`, async () => {
      await withTempDir(async (dir) => {
        const path = join(dir, 'p.npz');
        const w = randomFloats(20);
        await writeNpz(
          path,
          { w: { shape: [4, 5], data: w }, n: { shape: [2], data: Int32Array.of(1, 2) } },
          { compress },
        );
        const z = await readNpz(path);
        expect(z['w'].data).toEqual(w);
        expect(z['w'].shape).toEqual([4, 5]);
        expect(z['n'].data).toEqual(Int32Array.of(1, 2));
      });
    });
  }

  it('a corrupt member names the archive and the member', async () => {
    await withTempDir(async (dir) => {
      const bytes = new Uint8Array(await readFile(fixture('npz', 'stored.npz')));
      // Stored members: clobber the first member's magic.
      const at = Buffer.from(bytes).indexOf(Buffer.from([0x93, 0x4e, 0x55, 0x4d]));
      bytes[at + 1] = 0;
      const path = join(dir, 'bad.npz');
      await writeFile(path, bytes);
      await expect(readNpz(path)).rejects.toThrow(
        new RegExp(`${path}: member 'a\\.npy': CRC-32 mismatch`),
      );
      await writeFile(path, bytes.subarray(0, 100));
      await expect(readNpz(path)).rejects.toBeInstanceOf(FormatError);
    });
  });
});
