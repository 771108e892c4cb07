import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  encodeNpy,
  encodeNpz,
  encodeSafetensors,
  FormatError,
  parseNpy,
  parseNpz,
  parseSafetensors,
  readNpyHeader,
  readSafetensorsTensor,
  type TensorData,
} from '../src/index.js';
import { randomFloats, withTempDir } from './helpers.js';

const ITERATIONS = 3000;
const FILE_ITERATIONS = 300;

function join8(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

const seeds: Record<string, Uint8Array> = {
  safetensors: join8(
    encodeSafetensors(
      {
        a: { shape: [3, 4], data: randomFloats(12) },
        h: { dtype: 'F16', shape: [5], data: randomFloats(5) },
        b: { dtype: 'BF16', shape: [2, 2], data: randomFloats(4) },
        i: { shape: [3], data: Int32Array.of(1, 2, 3) },
        l: { shape: [1], data: BigInt64Array.of(7n) },
      },
      { format: 'pt' },
    ),
  ),
  npy: join8(encodeNpy({ dtype: 'F16', shape: [3, 5], data: randomFloats(15) })),
  npz: encodeNpz({
    W: { shape: [4, 4], data: randomFloats(16) },
    t: { shape: [4], data: Int32Array.of(1, 2, 3, 4) },
  }),
  npzStored: encodeNpz({ W: { shape: [2, 3], data: randomFloats(6) } }, { compress: false }),
};

/** One random structural mutation: bit flips, byte stores, truncation, insertion, splices. */
function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  let b: Uint8Array = new Uint8Array(src);
  const n = 1 + rng.int(4);
  for (let m = 0; m < n; m++) {
    const kind = rng.int(7);
    const at = rng.int(Math.max(1, b.length));
    if (kind === 0 && b.length > 0) b[at] ^= 1 << rng.int(8);
    else if (kind === 1 && b.length > 0)
      b[at] = [0, 0xff, 0x7f, 0x80, 0x30, 0x7b, 0x22][rng.int(7)];
    else if (kind === 2) b = b.slice(0, at);
    else if (kind === 3) {
      const ins = new Uint8Array(1 + rng.int(16)).map(() => rng.int(256));
      b = new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    } else if (kind === 4 && b.length > 8) {
      // Rewrite a little-endian size field (safetensors header length, npy header length...).
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const pos = rng.int(Math.min(b.length - 4, 16));
      dv.setUint32(
        pos,
        rng.int(2) === 0 ? rng.nextUint32() : dv.getUint32(pos, true) + rng.int(9) - 4,
        true,
      );
    } else if (kind === 5) {
      // Digits inside a JSON/Python header: shapes and offsets.
      const digits: number[] = [];
      for (let i = 0; i < Math.min(b.length, 400); i++)
        if (b[i] >= 0x30 && b[i] <= 0x39) digits.push(i);
      if (digits.length > 0) b[digits[rng.int(digits.length)]] = 0x30 + rng.int(10);
    } else if (kind === 6 && b.length > 0) {
      const from = rng.int(b.length);
      const len = rng.int(Math.min(32, b.length - from) + 1);
      b = new Uint8Array([
        ...b.subarray(0, at),
        ...b.subarray(from, from + len),
        ...b.subarray(at),
      ]);
    }
  }
  return b;
}

function sizeOf(t: TensorData): number {
  return t.data.byteLength;
}

type Outcome = 'value' | 'format-error';

function classify(fn: () => number, inputBytes: number, maxRatio: number): Outcome {
  try {
    const produced = fn();
    // No result may be much larger than its input: sizes are checked before allocating.
    expect(produced).toBeLessThanOrEqual(inputBytes * maxRatio + 64);
    return 'value';
  } catch (error) {
    if (error instanceof FormatError) return 'format-error';
    throw error;
  }
}

describe('fuzz: mutated files give a value or a FormatError, nothing else', () => {
  const parsers: [string, (b: Uint8Array) => number, number][] = [
    [
      'safetensors',
      (b) =>
        Object.values(parseSafetensors(b, 'fuzz.safetensors').tensors).reduce(
          (n, t) => n + sizeOf(t),
          0,
        ),
      4,
    ],
    ['npy', (b) => sizeOf(parseNpy(b, 'fuzz.npy')), 4],
    [
      'npz',
      (b) => Object.values(parseNpz(b, 'fuzz.npz')).reduce((n, t) => n + sizeOf(t), 0),
      1100 * 4,
    ],
    [
      'npzStored',
      (b) => Object.values(parseNpz(b, 'fuzz.npz')).reduce((n, t) => n + sizeOf(t), 0),
      4,
    ],
  ];
  for (const [name, parse, ratio] of parsers) {
    it(`${name}: ${ITERATIONS} mutations`, () => {
      const rng = new Rng(name.length * 7919);
      const counts = { value: 0, 'format-error': 0 };
      // The unmutated seed must parse.
      expect(classify(() => parse(seeds[name]), seeds[name].length, ratio)).toBe('value');
      for (let i = 0; i < ITERATIONS; i++) {
        const bytes = mutate(seeds[name], rng);
        counts[classify(() => parse(bytes), bytes.length, ratio)]++;
      }
      // Mutations must actually exercise the validators.
      expect(counts['format-error']).toBeGreaterThan(ITERATIONS / 4);
    });
  }

  it(`file-handle readers: ${FILE_ITERATIONS} mutated safetensors and .npy files`, async () => {
    await withTempDir(async (dir) => {
      const rng = new Rng(99);
      for (let i = 0; i < FILE_ITERATIONS; i++) {
        const st = join(dir, 'f.safetensors');
        await writeFile(st, mutate(seeds['safetensors'], rng));
        await readSafetensorsTensor(st, 'a').catch((e: unknown) => {
          if (!(e instanceof FormatError)) throw e;
        });
        const np = join(dir, 'f.npy');
        await writeFile(np, mutate(seeds['npy'], rng));
        await readNpyHeader(np).catch((e: unknown) => {
          if (!(e instanceof FormatError)) throw e;
        });
      }
    });
  });
});
