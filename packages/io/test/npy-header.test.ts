// .npy headers byte by byte: the preamble (magic, version, header length), the Python-literal
// dict numpy writes, the dtype strings, and how shape and data length must agree. Each case
// goes through both readers: parseNpy (bytes in memory) and readNpyHeader (the file, header
// only), which parse the preamble separately.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, FormatError, type NpyHeader, parseNpy, readNpyHeader } from '../src/index.js';
import { withTempDir } from './helpers.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** An .npy file with exactly this header text (no padding added) and these data bytes. */
function npy(header: string | Uint8Array, data: ArrayLike<number> = [], version = 1): Uint8Array {
  const text = typeof header === 'string' ? latin1(header) : header;
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + text.byteLength + data.length);
  out.set(MAGIC);
  out[6] = version;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.byteLength, true);
  else dv.setUint32(8, text.byteLength, true);
  out.set(text, pre);
  out.set(data, pre + text.byteLength);
  return out;
}

function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
const dict = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** The header both readers see, after checking they agree on it. */
async function headerOf(bytes: Uint8Array): Promise<NpyHeader> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'h.npy');
    await writeFile(path, bytes);
    const h = await readNpyHeader(path);
    const whole = parseNpy(bytes);
    expect(whole.dtype).toBe(h.dtype);
    expect(whole.shape).toEqual(h.shape);
    return h;
  });
}

/** The FormatError message both readers give (each must refuse, naming the file). */
async function refusal(bytes: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'bad.npy');
    await writeFile(path, bytes);
    const messages: string[] = [];
    for (const read of [async () => parseNpy(bytes, path), () => readNpyHeader(path)]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FormatError);
      messages.push((error as Error).message);
    }
    expect(messages[1]).toBe(messages[0]);
    expect(messages[0]).toContain(path);
    return messages[0].slice(messages[0].indexOf(path) + path.length);
  });
}

describe('.npy preamble', () => {
  it('refuses each altered magic byte', async () => {
    for (let j = 0; j < MAGIC.length; j++) {
      const b = npy(dict('<f4', '(1,)'), f32(1));
      b[j] ^= 0x20;
      expect(await refusal(b)).toMatch(/bad magic/);
    }
  });

  it('reads versions 1, 2 and 3 with the header length each defines', async () => {
    const text = dict('<f4', '(2,)');
    for (const version of [1, 2, 3]) {
      const b = npy(text, f32(1.5, -2), version);
      const h = await headerOf(b);
      expect(h.dataStart).toBe((version === 1 ? 10 : 12) + text.length);
      expect(h.byteLength).toBe(8);
      expect(Array.from(parseNpy(b).data as Float32Array)).toEqual([1.5, -2]);
    }
  });

  it('refuses versions 0 and 4', async () => {
    for (const version of [0, 4]) {
      const b = npy(dict('<f4', '(1,)'), f32(1));
      b[6] = version;
      expect(await refusal(b)).toMatch(new RegExp(`unsupported .npy version ${version}$`));
    }
  });

  it('a 10-byte file is a whole preamble; 9 bytes is not', async () => {
    const ten = npy('');
    expect(ten.byteLength).toBe(10);
    expect(await refusal(ten)).toMatch(/at character 0: expected '\{'/);
    expect(await refusal(ten.subarray(0, 9))).toMatch(/truncated: no .npy preamble/);
  });

  it('a version 2 file needs 12 preamble bytes', async () => {
    const b = npy('', [], 2);
    expect(await refusal(b.subarray(0, 11))).toMatch(/truncated: no .npy header length/);
    expect(await refusal(b)).toMatch(/at character 0: expected '\{'/);
  });

  it('accepts a header length of exactly 1 MiB and refuses one byte more', async () => {
    const b = npy('', [], 2);
    const dv = new DataView(b.buffer);
    dv.setUint32(8, 1 << 20, true);
    expect(await refusal(b)).toMatch(/truncated inside the .npy header/);
    dv.setUint32(8, (1 << 20) + 1, true);
    expect(await refusal(b)).toMatch(/header length 1048577 exceeds 1048576 bytes/);
  });

  it('a header ending exactly at the end of the file is not truncated', async () => {
    const text = dict('<f4', '(0,)');
    const h = await headerOf(npy(text));
    expect(h.dataStart).toBe(10 + text.length);
    expect(h.byteLength).toBe(0);
    const short = npy(text).subarray(0, 10 + text.length - 1);
    expect(await refusal(short)).toMatch(/truncated inside the .npy header/);
  });

  it('decodes versions 1 and 2 as latin-1 and version 3 as UTF-8', async () => {
    // 'é' as one latin-1 byte: valid in versions 1 and 2, invalid UTF-8 in version 3.
    const text = `{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'note': '\u00e9', }`;
    for (const version of [1, 2])
      expect((await headerOf(npy(text, f32(1), version))).shape).toEqual([1]);
    expect(await refusal(npy(text, f32(1), 3))).toMatch(/header is not valid text/);
    let error: unknown;
    try {
      parseNpy(npy(text, f32(1), 3));
    } catch (e) {
      error = e;
    }
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    const utf8 = new TextEncoder().encode(text);
    expect((await headerOf(npy(utf8, f32(1), 3))).shape).toEqual([1]);
  });
});

describe('.npy header dict', () => {
  it('accepts double quotes, tabs, CR/LF, no trailing comma and extra keys', async () => {
    const text = `{\t"descr":\r"<f4" ,\n'fortran_order' : False,'shape':( 2 , 1 ),'x':'y'}\n`;
    const h = await headerOf(npy(text, f32(3, 4)));
    expect(h).toMatchObject({ dtype: 'F32', shape: [2, 1], fortranOrder: false });
    expect(Array.from(parseNpy(npy(text, f32(3, 4))).data as Float32Array)).toEqual([3, 4]);
  });

  it("reads Python 2 long dimensions ('3L') and the empty tuple", async () => {
    expect((await headerOf(npy(dict('<f4', '(1L, 2L)'), f32(1, 2)))).shape).toEqual([1, 2]);
    const scalar = npy(dict('<f4', '()'), f32(7));
    expect((await headerOf(scalar)).shape).toEqual([]);
    expect(Array.from(parseNpy(scalar).data as Float32Array)).toEqual([7]);
  });

  it('reads fortran_order True and returns C order', async () => {
    // Column-major [[1, 2, 3], [4, 5, 6]].
    const b = npy(dict('<f4', '(2, 3)', 'True'), f32(1, 4, 2, 5, 3, 6));
    expect((await headerOf(b)).fortranOrder).toBe(true);
    expect(Array.from(parseNpy(b).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const column = npy(dict('<f4', '(3,)', 'True'), f32(1, 2, 3));
    expect(Array.from(parseNpy(column).data as Float32Array)).toEqual([1, 2, 3]);
  });

  const malformed: [string, string][] = [
    ["['descr']", "at character 0: expected '{'"],
    ["{'descr' '<f4'}", "at character 9: expected ':'"],
    ["{'descr': '<f4' 'shape': (1,)}", "at character 16: expected ',' or '}'"],
    [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
      "at character 53: expected ',' or ')' in shape",
    ],
    [
      // A digit after the letter: the integer must start where the parser stands.
      "{'descr': '<f4', 'fortran_order': False, 'shape': (a1,)}",
      'at character 51: expected an integer',
    ],
    [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
      'at character 51: expected an integer',
    ],
    [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
      'at character 71: dimension too large',
    ],
    ["{'descr", 'at character 1: unterminated string'],
    ["{descr: '<f4'}", 'at character 1: expected a string'],
    ["{'descr': '<f\\4'}", 'at character 10: escapes are not supported in header strings'],
    ["{'descr': None}", 'at character 10: unexpected value'],
    ["{'descr': '<f4'} x", 'at character 17: trailing characters after the header dict'],
    ["{'descr': '<f4'", "at character 15: expected ',' or '}'"],
  ];
  for (const [text, message] of malformed) {
    it(`refuses ${text} (${message})`, async () => {
      expect(await refusal(npy(text, f32(1)))).toContain(`malformed .npy header ${message}`);
    });
  }

  const missing: [string, RegExp][] = [
    ["{'fortran_order': False, 'shape': (1,)}", /header has no string 'descr'/],
    ["{'descr': (4,), 'fortran_order': False, 'shape': (1,)}", /header has no string 'descr'/],
    ["{'descr': '<f4', 'shape': (1,)}", /header has no 'fortran_order'/],
    ["{'descr': '<f4', 'fortran_order': 'False', 'shape': (1,)}", /header has no 'fortran_order'/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': '(1,)'}", /header has no tuple 'shape'/],
  ];
  for (const [text, message] of missing) {
    it(`refuses ${text}`, async () => {
      expect(await refusal(npy(text, f32(1)))).toMatch(message);
    });
  }
});

describe('.npy dtype strings', () => {
  const accepted: [string, string, boolean, number][] = [
    ['<f4', 'F32', true, 4],
    ['>f4', 'F32', false, 4],
    ['=f4', 'F32', true, 4],
    ['f4', 'F32', true, 4],
    ['<f2', 'F16', true, 2],
    ['>f8', 'F64', false, 8],
    ['|u1', 'U8', true, 1],
    ['<u1', 'U8', true, 1],
    ['|i1', 'I8', true, 1],
    ['|b1', 'BOOL', true, 1],
    ['?', 'BOOL', true, 1],
    ['>i2', 'I16', false, 2],
    ['<u8', 'U64', true, 8],
  ];
  for (const [descr, dtype, littleEndian, width] of accepted) {
    it(`'${descr}' is ${dtype}, ${littleEndian ? 'little' : 'big'}-endian`, async () => {
      const h = await headerOf(npy(dict(descr, '(3,)'), new Uint8Array(3 * width)));
      expect(h).toMatchObject({ dtype, littleEndian, byteLength: 3 * width });
    });
  }

  it('big-endian float16 and float32 decode to the same values as little-endian', () => {
    const be = npy(dict('>f4', '(2,)'), [0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]);
    expect(Array.from(parseNpy(be).data as Float32Array)).toEqual([1.5, -2]);
    const le16 = npy(dict('<f2', '(2,)'), [0x00, 0x3e, 0x00, 0xc0]);
    const be16 = npy(dict('>f2', '(2,)'), [0x3e, 0x00, 0xc0, 0x00]);
    expect(Array.from(parseNpy(le16).data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(parseNpy(be16).data as Float32Array)).toEqual([1.5, -2]);
  });

  const refused: [string, RegExp][] = [
    ['|f2', /descr '\|f2': '\|' byte order on a multi-byte type/],
    ['|O', /object arrays are not supported: descr '\|O'/],
    ['|O8', /object arrays are not supported: descr '\|O8'/],
    ['x<f4', /^: unsupported dtype: descr 'x<f4'/],
    ['<U4', /^: unsupported dtype: descr '<U4'/],
    ['<c8', /^: unsupported dtype/],
    ['<f16', /^: unsupported dtype/],
    ['?1', /^: unsupported dtype/],
    ['<f4 ', /^: unsupported dtype: descr '<f4 '/],
    ['', /^: unsupported dtype: descr ''/],
  ];
  for (const [descr, message] of refused) {
    it(`refuses '${descr}'`, async () => {
      expect(await refusal(npy(dict(descr, '(1,)'), new Uint8Array(16)))).toMatch(message);
    });
  }
});

describe('.npy shape against data length', () => {
  it('needs exactly numel × width data bytes', async () => {
    const text = dict('<i2', '(2, 3)');
    expect((await headerOf(npy(text, new Uint8Array(12)))).byteLength).toBe(12);
    expect(await refusal(npy(text, new Uint8Array(11)))).toMatch(
      /shape \(2, 3\) of '<i2' needs 12 data bytes, file has 11/,
    );
    expect(await refusal(npy(text, new Uint8Array(13)))).toMatch(
      /needs 12 data bytes, file has 13/,
    );
  });

  it('a zero dimension needs no data', async () => {
    const h = await headerOf(npy(dict('<f8', '(4, 0, 2)')));
    expect(h).toMatchObject({ shape: [4, 0, 2], byteLength: 0 });
    expect(parseNpy(npy(dict('<f8', '(4, 0, 2)'), [], 1)).data).toHaveLength(0);
  });
});

describe('.npy writer header', () => {
  const encode = (shape: number[], data: Float32Array) => Buffer.concat(encodeNpy({ shape, data }));
  const headerText = (b: Uint8Array) => {
    const pre = b[6] === 1 ? 10 : 12;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const len = b[6] === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
    return Buffer.from(b.subarray(pre, pre + len)).toString('latin1');
  };

  it("writes a 1-d shape as a Python tuple '(n,)' and pads with spaces to a newline", () => {
    const text = headerText(encode([3], Float32Array.of(1, 2, 3)));
    expect(text).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} +\n$/);
    expect(headerText(encode([1, 3], Float32Array.of(1, 2, 3)))).toContain("'shape': (1, 3), }");
  });

  it('uses version 1 up to a 65535-byte preamble + dict + newline, version 2 past it', () => {
    const dictLength = (shape: number[]) =>
      `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`.length;
    // Each '1' dimension adds 3 characters (', 1'), each '10' one more: any length is reachable.
    const shapeOfLength = (length: number): number[] => {
      const ones = Math.floor(length / 3) - 10;
      for (let tens = 0; tens < 3; tens++) {
        for (let n = ones - 10; n < ones + 10; n++) {
          const shape = [...Array(tens).fill(10), ...Array(n).fill(1)];
          if (dictLength(shape) === length) return shape;
        }
      }
      throw new Error(`no shape gives a dict of ${length} characters`);
    };
    for (const [length, version] of [
      [65535 - 11, 1],
      [65535 - 10, 2],
    ]) {
      const shape = shapeOfLength(length);
      expect(dictLength(shape)).toBe(length);
      const numel = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: numel }, (_, i) => i);
      const b = encode(shape, data);
      expect([b[6], b[7]]).toEqual([version, 0]);
      expect(headerText(b).length + (version === 1 ? 10 : 12)).toBe(b.byteLength - numel * 4);
      expect(parseNpy(b).data).toEqual(data);
    }
  });

  it('refuses dtypes .npy cannot hold, invalid shapes and data of the wrong length or type', () => {
    expect(() => encodeNpy({ dtype: 'BF16', shape: [1], data: Uint16Array.of(1) })).toThrow(
      /^\.npy cannot hold dtype BF16$/,
    );
    expect(() => encodeNpy({ shape: [-1], data: Float32Array.of(1) })).toThrow(
      /invalid shape \[-1\]/,
    );
    expect(() => encodeNpy({ dtype: 'I64', shape: [1], data: Float32Array.of(1) })).toThrow(
      /cannot write Float32Array as <i8/,
    );
    expect(() => encodeNpy({ shape: [3], data: Float32Array.of(1, 2) })).toThrow(
      /8 bytes of <f4 do not match shape \[3\]/,
    );
  });
});
