import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingState } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  FormatError,
  loadTrainingState,
  saveTrainingState,
  writeSafetensors,
} from '../src/index.js';
import { randomFloats, withTempDir } from './helpers.js';

function state(step: number): TrainingState {
  const weird = new Float32Array(4);
  new Uint32Array(weird.buffer).set([0x7fc00001, 0xff800000, 0x80000000, 1]); // NaN payload, -inf, -0, denormal
  return {
    format: 'saekit-training-state',
    version: 1,
    meta: {
      step,
      config: { k: 32, lr: 2e-4, nested: [1, 'two', null, true] },
      rng: [1, 2, 3, 4294967295],
      data: { format: 'saekit-dataset-position', batches: 12 },
      inputScale: 1.2345678901234567,
    },
    arrays: {
      wEnc: randomFloats(60, 1),
      'adam.m.wEnc': randomFloats(60, 2),
      weird,
      deadCounters: Int32Array.from([0, -1, 2 ** 31 - 1]),
      empty: new Float32Array(0),
    },
  };
}

describe('training state', () => {
  it('round-trips arrays bit for bit (NaN payloads, -0, denormals) and meta exactly', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'state.safetensors');
      const s = state(100);
      await saveTrainingState(path, s);
      const back = await loadTrainingState(path);
      expect(back.meta).toEqual(s.meta);
      expect(Object.keys(back.arrays).sort()).toEqual(Object.keys(s.arrays).sort());
      for (const [name, a] of Object.entries(s.arrays)) {
        const b = back.arrays[name];
        expect(b.constructor, name).toBe(a.constructor);
        expect(
          Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(
            Buffer.from(a.buffer, a.byteOffset, a.byteLength),
          ),
          name,
        ).toBe(true);
      }
    });
  });

  it('a crash while writing leaves the previous checkpoint whole and no temp files', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'state.safetensors');
      await saveTrainingState(path, state(1));
      const before = await readFile(path);
      const handle = await open(path, 'r');
      const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
      await handle.close();
      const sync = proto.sync;
      proto.sync = async () => {
        throw new Error('simulated crash before the rename');
      };
      try {
        await expect(saveTrainingState(path, state(2))).rejects.toThrow(/simulated crash/);
      } finally {
        proto.sync = sync;
      }
      expect((await readFile(path)).equals(before)).toBe(true);
      expect(await readdir(dir)).toEqual(['state.safetensors']);
      expect((await loadTrainingState(path)).meta['step']).toBe(1);
    });
  });

  it('corrupt or foreign files are FormatErrors naming the file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'state.safetensors');
      await saveTrainingState(path, state(1));
      const bytes = await readFile(path);
      await writeFile(path, bytes.subarray(0, bytes.length - 10));
      await expect(loadTrainingState(path)).rejects.toThrow(FormatError);
      await expect(loadTrainingState(path)).rejects.toThrow(path);

      await writeSafetensors(path, { w: { shape: [1], data: Float32Array.of(1) } });
      await expect(loadTrainingState(path)).rejects.toThrow(/not a saekit training state/);

      await writeSafetensors(
        path,
        {},
        { format: 'saekit-training-state', version: '1', meta: '{bad' },
      );
      await expect(loadTrainingState(path)).rejects.toThrow(/meta is not valid JSON/);

      await writeSafetensors(
        path,
        {},
        { format: 'saekit-training-state', version: '2', meta: '{}' },
      );
      await expect(loadTrainingState(path)).rejects.toThrow(/unsupported training state version/);

      await writeSafetensors(
        path,
        { w: { dtype: 'F16', shape: [1], data: Float32Array.of(1) } },
        { format: 'saekit-training-state', version: '1', meta: '{}' },
      );
      await expect(loadTrainingState(path)).rejects.toThrow(/array 'w' must be 1-D F32 or I32/);
    });
  });
});
