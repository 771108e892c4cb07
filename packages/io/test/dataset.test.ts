import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  createCpuBackend,
  DataError,
  evaluateSae,
  isMarkedFinite,
  Sae,
  type SaeWeights,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  ActivationDataset,
  type ActivationDatasetOptions,
  type DatasetPosition,
  readSafetensors,
  readShardIds,
  resolveShards,
  ShardWriter,
  writeNpy,
  writeSafetensors,
} from '../src/index.js';
import { expected, fixture, withTempDir } from './helpers.js';

async function collect(ds: AsyncIterable<Float32Array>, limit = Number.POSITIVE_INFINITY) {
  const out: Float32Array[] = [];
  for await (const b of ds) {
    out.push(b);
    if (out.length >= limit) break;
  }
  return out;
}

/** A 4-latent Top-2 SAE of width d with simple deterministic weights. */
function tinySae(d: number): SaeWeights {
  const w = Float32Array.from({ length: 4 * d }, (_, i) => ((i * 7) % 5) / 5 - 0.4);
  return {
    architecture: 'topk',
    dIn: d,
    dSae: 4,
    k: 2,
    wEnc: w,
    wDec: w.slice(),
    bEnc: new Float32Array(4),
    bDec: new Float32Array(d),
    applyBDecToInput: true,
  };
}

/** Rows numbered so every row is recognisable: row r of the dataset holds r + c/1000. */
function numbered(first: number, rows: number, d: number): Float32Array {
  const a = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) a[r * d + c] = first + r + c / 1000;
  return a;
}

function rowIds(batch: Float32Array, d: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < batch.length; i += d) ids.push(Math.round(batch[i]));
  return ids;
}

/** Three shards of 40, 25 and 35 numbered rows (d = 4), in f32 .npy, f16 .npy and bf16 safetensors. */
async function makeShards(dir: string): Promise<void> {
  await writeNpy(join(dir, 'a.npy'), { shape: [40, 4], data: numbered(0, 40, 4) });
  await writeNpy(join(dir, 'b.npy'), { dtype: 'F16', shape: [25, 4], data: numbered(40, 25, 4) });
  await writeSafetensors(join(dir, 'c.safetensors'), {
    activations: { dtype: 'BF16', shape: [35, 4], data: numbered(65, 35, 4) },
    token_ids: { shape: [35], data: new Int32Array(35) },
  });
}

describe('ActivationDataset', () => {
  it('reads numpy-written shards (f32 and f16 .npy) in file order when not shuffled', async () => {
    const ds = await ActivationDataset.open(fixture('shards'), { batchSize: 17, shuffle: false });
    expect(ds.dIn).toBe(8);
    expect(ds.rows).toBe(17);
    const batches = await collect(ds);
    expect(batches.length).toBe(1);
    expect(Array.from(batches[0])).toEqual(expected('shards/all').values);
  });

  it('drops only the final incomplete batch', async () => {
    const ds = await ActivationDataset.open(fixture('shards'), {
      batchSize: 5,
      shuffle: false,
      epochs: 2,
    });
    const batches = await collect(ds);
    expect(batches.length).toBe(6); // 34 rows / 5
    const all = expected('shards/all').values;
    expect(Array.from(batches[3])).toEqual([...all.slice(15 * 8), ...all.slice(0, 3 * 8)]);
  });

  it('with dropLast false hands out the last, short batch: every row once (evaluateSae sees all)', async () => {
    const ds = await ActivationDataset.open(fixture('shards'), {
      batchSize: 5,
      shuffle: false,
      dropLast: false,
    });
    const batches = await collect(ds);
    expect(batches.map((b) => b.length / 8)).toEqual([5, 5, 5, 2]);
    expect(Array.from(batches[3])).toEqual(expected('shards/all').values.slice(15 * 8));
    // Through core's evaluation: 17 tokens, not the 15 of three full batches.
    const backend = createCpuBackend();
    const sae = Sae.fromWeights(backend, tinySae(8));
    const again = await ActivationDataset.open(fixture('shards'), {
      batchSize: 5,
      dropLast: false,
    });
    expect((await evaluateSae(backend, sae, again)).tokens).toBe(17);
    sae.dispose();
  });

  it('refuses a batch larger than the whole dataset, naming batchSize and the row count', async () => {
    await expect(ActivationDataset.open(fixture('shards'), { batchSize: 18 })).rejects.toThrow(
      /'batchSize': 18 is larger than the whole dataset \(17 rows in 2 shards\)/,
    );
    const one = await ActivationDataset.open(fixture('shards'), { batchSize: 18, dropLast: false });
    expect((await collect(one)).map((b) => b.length / 8)).toEqual([17]);
  });

  it('a shuffled epoch is a permutation of every row, mixes shards, and depends on the seed', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const open = (seed: number) =>
        ActivationDataset.open(dir, { batchSize: 10, shuffleBuffer: 32, seed, epochs: 2 });
      const run = async (seed: number) =>
        (await collect(await open(seed))).map((b) => rowIds(b, 4));
      const a = await run(1);
      expect(a.length).toBe(20);
      const epoch0 = a.slice(0, 10).flat();
      const epoch1 = a.slice(10).flat();
      const sorted = (x: number[]) => [...x].sort((p, q) => p - q);
      expect(sorted(epoch0)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(sorted(epoch1)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(epoch1).not.toEqual(epoch0);
      // Each epoch draws its own chunk order, so its shuffle windows (32 rows) hold other rows,
      // not only the same rows handed out in another order.
      const windows = (epoch: number[]) =>
        [0, 32, 64].map((start) => sorted(epoch.slice(start, start + 32)));
      const [w0, w1] = [windows(epoch0), windows(epoch1)];
      for (let w = 0; w < w0.length; w++) expect(w1[w], `window ${w}`).not.toEqual(w0[w]);
      expect(epoch0.slice(0, 10)).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
      // Some batch holds rows of at least two different shards.
      const shardOf = (r: number) => (r < 40 ? 0 : r < 65 ? 1 : 2);
      expect(a.some((b) => new Set(b.map(shardOf)).size > 1)).toBe(true);
      expect(await run(1)).toEqual(a);
      expect(await run(2)).not.toEqual(a);
    });
  });

  it('the shuffled stream is a fixed function of seed and shards: a saved position resumes on the same rows', async () => {
    // Pinned batches (row ids) and fingerprint of one shuffled two-epoch run. Training states
    // store positions, so a shuffle or fingerprint that changed between releases would resume
    // an old run onto other rows (or refuse it); permutation checks alone cannot see that.
    const PINNED = [
      '26 90 25 92 48 39 14 4 89 52 53 21 20 24 50 51 97 23 36 22 12 91 98 13 27',
      '15 49 37 38 55 99 54 34 33 83 79 75 0 73 43 40 76 7 2 59 81 1 5 57 42',
      '78 44 56 82 32 58 35 6 41 77 80 3 84 74 94 31 65 47 19 45 93 96 28 10 11',
      '9 60 67 18 95 61 30 8 29 85 64 62 86 87 68 16 66 63 88 46 17 70 71 69 72',
      '40 60 46 69 25 54 72 70 71 42 47 26 89 53 27 24 4 91 41 5 43 44 45 55 6',
      '62 61 52 63 90 7 92 81 33 95 97 93 21 85 98 20 37 65 38 32 99 34 86 83 79',
      '87 94 22 84 23 35 39 88 78 77 96 82 36 80 29 57 59 48 31 13 30 28 51 2 19',
      '10 11 3 15 50 12 64 1 56 49 8 9 68 58 67 16 17 14 18 66 0 73 76 75 74',
    ];
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const options = { batchSize: 25, shuffleBuffer: 32, seed: 3, epochs: 2 };
      const ds = await ActivationDataset.open(dir, options);
      expect((await collect(ds)).map((b) => rowIds(b, 4).join(' '))).toEqual(PINNED);
      expect(ds.position().fingerprint).toBe('1a7e3c13');
      // A position as an earlier release wrote it (before shard identities), mid-second-epoch.
      const saved = {
        format: 'saekit-dataset-position',
        version: 1,
        batches: 5,
        batchSize: 25,
        shuffleBuffer: 32,
        shuffle: true,
        seed: 3,
        fingerprint: '1a7e3c13',
      } as unknown as DatasetPosition;
      const resumed = await ActivationDataset.open(dir, { ...options, position: saved });
      expect((await collect(resumed)).map((b) => rowIds(b, 4).join(' '))).toEqual(PINNED.slice(5));
    });
  });

  it('converts f16 and bf16 on read', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const ds = await ActivationDataset.open(dir, { batchSize: 100, shuffle: false });
      const [b] = await collect(ds);
      const want = numbered(0, 100, 4);
      for (let i = 0; i < want.length; i++) {
        const tol = i < 160 ? 0 : i < 260 ? 0.05 : 0.5; // f32, f16, bf16 rows
        expect(Math.abs(b[i] - want[i])).toBeLessThanOrEqual(tol);
      }
    });
  });

  it('resuming from position() gives exactly the batches of the uninterrupted run', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const options = { batchSize: 7, shuffleBuffer: 24, seed: 5, epochs: 3 };
      const full = await collect(await ActivationDataset.open(dir, options));
      expect(full.length).toBe(42);
      for (const stop of [1, 3, 14, 15, 29, 41]) {
        const first = await ActivationDataset.open(dir, options);
        const seen = await collect(first, stop);
        expect(seen).toEqual(full.slice(0, stop));
        const saved = JSON.parse(JSON.stringify(first.position())) as DatasetPosition;
        expect(saved.batches).toBe(stop);
        expect(first.positionAt(stop)).toEqual(saved);
        const resumed = await ActivationDataset.open(dir, { ...options, position: saved });
        expect(await collect(resumed), `resume after ${stop}`).toEqual(full.slice(stop));
      }
    });
  });

  it('refuses a position from a different seed, batch size or data', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const o = { batchSize: 7, seed: 5, shuffleBuffer: 16 };
      const ds = await ActivationDataset.open(dir, o);
      await collect(ds, 2);
      const position = ds.position();
      await expect(ActivationDataset.open(dir, { ...o, seed: 6, position })).rejects.toThrow(
        ConfigError,
      );
      await expect(ActivationDataset.open(dir, { ...o, batchSize: 8, position })).rejects.toThrow(
        /batchSize/,
      );
      await expect(ActivationDataset.open(join(dir, 'a.npy'), { ...o, position })).rejects.toThrow(
        /b\.npy: missing: the saved run's shard 2 of 3/,
      );
      // Positions saved before content identities existed still check the fingerprint.
      const { files: _files, ...old } = position;
      await expect(
        ActivationDataset.open(join(dir, 'a.npy'), { ...o, position: old as DatasetPosition }),
      ).rejects.toThrow(/fingerprint/);
      await expect(
        ActivationDataset.open(dir, { ...o, position: { ...position, batches: 10_000 } }),
      ).rejects.toThrow(/outside this dataset/);
    });
  });

  it('holds at most 1 + readAhead windows and reads the next one ahead', async () => {
    await withTempDir(async (dir) => {
      await writeNpy(join(dir, 'big.npy'), { shape: [2000, 16], data: numbered(0, 2000, 16) });
      const ds = await ActivationDataset.open(dir, { batchSize: 10, shuffleBuffer: 100 });
      let max = 0;
      let count = 0;
      for await (const b of ds) {
        expect(b.length).toBe(160);
        max = Math.max(max, ds.windowsHeld);
        if (count === 0) expect(ds.windowsHeld).toBe(2);
        count++;
      }
      expect(count).toBe(200);
      expect(max).toBe(2);
      // 20 windows went through two recycled buffers.
      expect(ds.windowBuffers).toBe(2);
    });
  });

  it('names the shard and row of a non-finite value', async () => {
    await withTempDir(async (dir) => {
      const data = numbered(0, 10, 3);
      data[3 * 3 + 1] = Number.NaN;
      await writeNpy(join(dir, 'bad.npy'), { shape: [10, 3], data });
      const ds = await ActivationDataset.open(dir, { batchSize: 5, shuffle: false });
      const error = await collect(ds).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).source).toBe(join(dir, 'bad.npy'));
      expect((error as DataError).row).toBe(3);
      expect((error as Error).message).toMatch(/row 3: non-finite value NaN in column 1/);
      const inf = new Float32Array(20 * 2);
      inf[15 * 2] = Number.POSITIVE_INFINITY;
      await writeSafetensors(join(dir, 'inf.safetensors'), {
        x: { dtype: 'F16', shape: [20, 2], data: inf },
      });
      const ds2 = await ActivationDataset.open(join(dir, 'inf.safetensors'), { batchSize: 20 });
      await expect(collect(ds2)).rejects.toThrow(
        /inf\.safetensors: row 15: non-finite value Infinity/,
      );
    });
  });

  it('marks its batches finite for the trainer, which then names a bad row from the shard', async () => {
    await withTempDir(async (dir) => {
      await writeNpy(join(dir, 'a.npy'), { shape: [40, 3], data: numbered(0, 40, 3) });
      const data = numbered(40, 40, 3);
      data[17 * 3 + 2] = Number.NaN;
      await writeNpy(join(dir, 'b.npy'), { shape: [40, 3], data });
      const ds = await ActivationDataset.open(dir, {
        batchSize: 10,
        shuffle: false,
        shuffleBuffer: 10,
        readAhead: 0,
      });
      const trainer = await Trainer.create(
        createCpuBackend(),
        { dIn: 3, dSae: 8, k: 2, batchSize: 10, steps: 8, initTokens: 10, bDecInit: 'mean' },
        { initData: numbered(0, 10, 3) },
      );
      const seen: boolean[] = [];
      const marked = (async function* () {
        for await (const b of ds) {
          seen.push(isMarkedFinite(b));
          yield b;
        }
      })();
      const error = await trainer.train(marked).catch((e: unknown) => e);
      // The trainer skipped its own scan; the dataset's decode still names the shard and row,
      // before the batch holding it reaches a step.
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).source).toBe(join(dir, 'b.npy'));
      expect((error as DataError).row).toBe(17);
      // Rows 0-49 were trained on; the window of rows 50-59 holds the bad row (57).
      expect(seen).toEqual([true, true, true, true, true]);
      expect(trainer.stepsDone).toBe(5);
    });
  });

  it('names the shard whose width differs', async () => {
    await withTempDir(async (dir) => {
      await writeNpy(join(dir, 'a.npy'), { shape: [4, 3], data: new Float32Array(12) });
      await writeNpy(join(dir, 'b.npy'), { shape: [4, 5], data: new Float32Array(20) });
      const error = await ActivationDataset.open(dir, { batchSize: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).source).toBe(join(dir, 'b.npy'));
      expect((error as Error).message).toMatch(/has 5 columns/);
    });
  });

  it('reads a named tensor and resolves directories, globs and lists', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      await writeNpy(join(dir, 'a.token_ids.npy'), { shape: [40], data: new Int32Array(40) });
      expect((await resolveShards(dir)).map((p) => p.slice(dir.length + 1))).toEqual([
        'a.npy',
        'b.npy',
        'c.safetensors',
      ]);
      expect(await resolveShards(join(dir, '*.npy'))).toEqual([
        join(dir, 'a.npy'),
        join(dir, 'b.npy'),
      ]);
      expect(await resolveShards([join(dir, 'c.safetensors'), join(dir, 'a.npy')])).toEqual([
        join(dir, 'c.safetensors'),
        join(dir, 'a.npy'),
      ]);
      await expect(resolveShards(join(dir, 'nothing-*.npy'))).rejects.toThrow(DataError);
      await writeSafetensors(join(dir, 'two.safetensors'), {
        resid: { shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
        other: { shape: [1], data: Float32Array.of(0) },
      });
      await expect(
        ActivationDataset.open(join(dir, 'two.safetensors'), { batchSize: 1 }),
      ).rejects.toThrow(/pass tensorName/);
      const ds = await ActivationDataset.open(join(dir, 'two.safetensors'), {
        batchSize: 3,
        tensorName: 'resid',
        shuffle: false,
      });
      expect(await collect(ds)).toEqual([Float32Array.of(1, 2, 3, 4, 5, 6)]);
    });
  });

  it('reuseBatches hands out the same batches from two recycled buffers', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const options = { batchSize: 9, shuffleBuffer: 40, seed: 2, epochs: 2 };
      const fresh = await collect(await ActivationDataset.open(dir, options));
      const reused: Float32Array[] = [];
      const copies: Float32Array[] = [];
      for await (const b of await ActivationDataset.open(dir, { ...options, reuseBatches: true })) {
        reused.push(b);
        copies.push(Float32Array.from(b));
      }
      expect(copies).toEqual(fresh);
      expect(reused[2]).toBe(reused[0]);
      expect(reused[1]).not.toBe(reused[0]);
      // The short last batch (dropLast false) is its own array of its own length.
      const short = await collect(
        await ActivationDataset.open(dir, {
          ...options,
          epochs: 1,
          dropLast: false,
          reuseBatches: true,
        }),
      );
      expect(short.map((b) => b.length / 4)).toEqual([...Array(11).fill(9), 1]);
      expect(short.slice(0, -1)).not.toContain(short[11]);
    });
  });

  it('workers: the same batches decoded off the main thread, errors still name shard and row', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const options = { batchSize: 9, shuffleBuffer: 40, seed: 4, epochs: 2 };
      const main = await collect(await ActivationDataset.open(dir, options));
      const ds = await ActivationDataset.open(dir, { ...options, workers: 2 });
      expect(await collect(ds)).toEqual(main);
      const data = numbered(0, 10, 3);
      data[7 * 3 + 2] = Number.POSITIVE_INFINITY;
      await writeNpy(join(dir, 'bad.npy'), { dtype: 'F16', shape: [10, 3], data });
      const bad = await ActivationDataset.open(join(dir, 'bad.npy'), { batchSize: 5, workers: 1 });
      const error = await collect(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      await bad.close();
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(
        /bad\.npy: row 7: non-finite value Infinity in column 2/,
      );
    });
  });

  it('validates options', async () => {
    await expect(ActivationDataset.open(fixture('shards'), { batchSize: 0 })).rejects.toThrow(
      /'batchSize'/,
    );
    const bad: [Partial<ActivationDatasetOptions>, RegExp][] = [
      [{ epochs: 0 }, /'epochs'/],
      [{ epochs: 1.5 }, /'epochs'/],
      [{ seed: 0.5 }, /'seed': must be an integer/],
      [{ workers: -1 }, /'workers'/],
      [{ workers: 1.5 }, /'workers'/],
      [{ readAhead: -1 }, /'readAhead'/],
      [{ readAhead: 0.5 }, /'readAhead'/],
      [{ shuffleBuffer: 0 }, /'shuffleBuffer'/],
    ];
    for (const [options, message] of bad) {
      await expect(
        ActivationDataset.open(fixture('shards'), { batchSize: 2, ...options }),
        JSON.stringify(options),
      ).rejects.toThrow(message);
    }
    // The smallest valid values.
    const one = await ActivationDataset.open(fixture('shards'), {
      batchSize: 1,
      shuffleBuffer: 1,
      readAhead: 0,
      epochs: 1,
    });
    expect((await collect(one)).length).toBe(17);
    await expect(ActivationDataset.open(fixture('shards'), { batchSize: 18 })).rejects.toThrow(
      /\(17 rows in 2 shards\)/,
    );
    await expect(
      ActivationDataset.open(join(fixture('shards'), 'part-0.npy'), { batchSize: 18 }),
    ).rejects.toThrow(/ rows in 1 shard\)/);
  });

  it('the default shuffle window is max(4 × batchSize, 16384) rows, at most the dataset', async () => {
    await withTempDir(async (dir) => {
      await writeNpy(join(dir, 'long.npy'), { shape: [30_000, 1], data: new Float32Array(30_000) });
      const window = async (batchSize: number) =>
        (await ActivationDataset.open(dir, { batchSize })).shuffleBuffer;
      expect(await window(5000)).toBe(20_000);
      expect(await window(10)).toBe(16_384);
      expect(await window(10_000)).toBe(30_000);
    });
  });

  it('seeds that differ only above 2^32 give different streams', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const ids = async (seed: number) =>
        (await collect(await ActivationDataset.open(dir, { batchSize: 50, seed }))).map((b) =>
          rowIds(b, 4).join(' '),
        );
      expect(await ids(1 + 2 ** 32)).not.toEqual(await ids(1));
    });
  });

  it('a shard without rows is skipped; shards that all lack rows are refused', async () => {
    await withTempDir(async (dir) => {
      await writeNpy(join(dir, 'a.npy'), { shape: [0, 3], data: new Float32Array(0) });
      await expect(ActivationDataset.open(join(dir, 'a.npy'), { batchSize: 1 })).rejects.toThrow(
        /shards hold no rows/,
      );
      await writeNpy(join(dir, 'b.npy'), { shape: [2, 3], data: numbered(0, 2, 3) });
      const ds = await ActivationDataset.open(dir, { batchSize: 2, shuffle: false });
      expect(ds.rows).toBe(2);
      expect(await collect(ds)).toEqual([numbered(0, 2, 3)]);
    });
  });

  it('more than 16 shards: one identity per shard, and resuming over them works', async () => {
    await withTempDir(async (dir) => {
      for (let i = 0; i < 17; i++) {
        const name = `s${String(i).padStart(2, '0')}.npy`;
        await writeNpy(join(dir, name), { shape: [2, 2], data: numbered(2 * i, 2, 2) });
      }
      const options = { batchSize: 4, seed: 1 };
      const ds = await ActivationDataset.open(dir, options);
      const full = await collect(ds);
      const files = ds.position().files;
      expect(files.map((f) => f.name)).toEqual(
        Array.from({ length: 17 }, (_, i) => `s${String(i).padStart(2, '0')}.npy`),
      );
      const resumed = await ActivationDataset.open(dir, { ...options, position: ds.positionAt(3) });
      expect(await collect(resumed)).toEqual(full.slice(3));
    });
  });

  it('positions: bounds, malformed positions and every mismatched setting are named', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const o = { batchSize: 10, seed: 5, shuffleBuffer: 16 };
      const ds = await ActivationDataset.open(dir, o);
      expect(ds.totalBatches).toBe(10);
      for (const n of [-1, 1.5, 11]) {
        expect(() => ds.positionAt(n), String(n)).toThrow(/batch .* is outside this dataset/);
      }
      // The end is a position too: resuming there hands out nothing.
      const end = ds.positionAt(10);
      expect(await collect(await ActivationDataset.open(dir, { ...o, position: end }))).toEqual([]);
      const position = ds.positionAt(2);
      const refused: [unknown, RegExp][] = [
        [null, /not a saekit dataset position/],
        ['position', /not a saekit dataset position/],
        [{ ...position, format: 'other' }, /not a saekit dataset position/],
        [{ ...position, version: 2 }, /not a saekit dataset position/],
        [{ ...position, files: [1] }, /files: not a list of shard identities/],
        [{ ...position, batches: -1 }, /batch -1 is outside this dataset/],
        [{ ...position, batches: 1.5 }, /batch 1.5 is outside this dataset/],
        [{ ...position, batches: 11 }, /batch 11 is outside this dataset/],
        [{ ...position, batchSize: 9 }, /was saved with batchSize 9, this dataset has 10/],
        [{ ...position, shuffleBuffer: 8 }, /was saved with shuffleBuffer 8, this dataset has 16/],
        [{ ...position, shuffle: false }, /was saved with shuffle false, this dataset has true/],
        [{ ...position, fingerprint: '0' }, /was saved with fingerprint "0"/],
      ];
      for (const [bad, message] of refused) {
        const error = await ActivationDataset.open(dir, {
          ...o,
          position: bad as DatasetPosition,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, JSON.stringify(bad)).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(message);
      }
      // A shard whose bytes changed is named with its path.
      await writeNpy(join(dir, 'a.npy'), { shape: [40, 4], data: numbered(1, 40, 4) });
      await expect(ActivationDataset.open(dir, { ...o, position })).rejects.toThrow(
        new RegExp(`${join(dir, 'a.npy').replace(/[.\\/]/g, '\\$&')}: changed since the saved run`),
      );
    });
  });

  it('workers read the right rows when windows start inside a chunk', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      // 30-row windows cut 4-row chunks: every window after the first starts mid-chunk.
      for (const shuffle of [false, true]) {
        const options = { batchSize: 7, shuffleBuffer: 30, seed: 9, epochs: 2, shuffle };
        const main = await collect(await ActivationDataset.open(dir, options));
        const ds = await ActivationDataset.open(dir, { ...options, workers: 2 });
        expect(await collect(ds), `shuffle ${shuffle}`).toEqual(main);
        await ds.close();
      }
      const plain = await collect(
        await ActivationDataset.open(dir, { batchSize: 100, shuffleBuffer: 30, shuffle: false }),
      );
      expect(rowIds(plain[0], 4)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });
  });

  it('readAhead 0 holds one window; five windows and two epochs go through two buffers', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const none = await ActivationDataset.open(dir, {
        batchSize: 10,
        shuffleBuffer: 20,
        readAhead: 0,
      });
      for await (const _ of none) expect(none.windowsHeld).toBe(1);
      // A window's buffer goes back to the pool once the next window is loaded: two in turn.
      expect(none.windowBuffers).toBe(2);
      const two = await ActivationDataset.open(dir, {
        batchSize: 10,
        shuffleBuffer: 20,
        epochs: 2,
      });
      let max = 0;
      for await (const _ of two) max = Math.max(max, two.windowsHeld);
      expect(max).toBe(2);
      expect(two.windowBuffers).toBe(2);
    });
  });

  // A shard is opened per chunk read; a handle left open per read would exhaust the
  // descriptors of a long run. Linux lists a process's descriptors in /proc/self/fd.
  it.skipIf(process.platform !== 'linux')('closes every shard handle it opens', async () => {
    await withTempDir(async (dir) => {
      await makeShards(dir);
      const count = async () => (await readdir('/proc/self/fd')).length;
      const before = await count();
      await collect(await ActivationDataset.open(dir, { batchSize: 10, shuffleBuffer: 16 }));
      expect(await count()).toBe(before);
    });
  });
});

describe('ShardWriter', () => {
  for (const dtype of ['f32', 'f16', 'bf16'] as const) {
    it(`writes ${dtype} shards of the chosen size that the dataset reads back`, async () => {
      await withTempDir(async (dir) => {
        const w = new ShardWriter(dir, {
          dIn: 4,
          dtype,
          rowsPerShard: 30,
          metadata: { model: 'm' },
        });
        const rows = numbered(0, 70, 4);
        const tokens = Int32Array.from({ length: 70 }, (_, i) => 1000 + i);
        const seqs = Int32Array.from({ length: 70 }, (_, i) => Math.floor(i / 16));
        await w.append(rows.subarray(0, 25 * 4), tokens.subarray(0, 25), seqs.subarray(0, 25));
        await w.append(rows.subarray(25 * 4), tokens.subarray(25), seqs.subarray(25));
        const shards = await w.close();
        expect(shards.map((p) => p.slice(dir.length + 1))).toEqual([
          'shard-00000.safetensors',
          'shard-00001.safetensors',
          'shard-00002.safetensors',
        ]);
        expect((await readdir(dir)).sort()).toEqual(shards.map((p) => p.slice(dir.length + 1)));
        const last = await readSafetensors(shards[2]);
        expect(last.tensors['activations'].shape).toEqual([10, 4]);
        expect(last.tensors['activations'].dtype).toBe(dtype.toUpperCase());
        expect(last.tensors['token_ids'].data).toEqual(tokens.subarray(60));
        expect(last.tensors['sequence_ids'].data).toEqual(seqs.subarray(60));
        expect(last.metadata).toMatchObject({ model: 'm' });
        const [b] = await collect(
          await ActivationDataset.open(dir, { batchSize: 70, shuffle: false }),
        );
        const tol = dtype === 'f32' ? 0 : dtype === 'f16' ? 0.05 : 0.5;
        for (let i = 0; i < rows.length; i++)
          expect(Math.abs(b[i] - rows[i])).toBeLessThanOrEqual(tol);
      });
    });
  }

  it('refuses non-finite rows (naming the row), ragged rows and mismatched ids', async () => {
    await withTempDir(async (dir) => {
      const w = new ShardWriter(dir, { dIn: 2, rowsPerShard: 4 });
      await w.append(Float32Array.of(1, 2, 3, 4));
      await expect(w.append(Float32Array.of(1, 2, Number.NaN, 4))).rejects.toThrow(
        /row 3: non-finite/,
      );
      await expect(w.append(Float32Array.of(1, 2, 3))).rejects.toThrow(/not whole rows/);
      await expect(w.append(Float32Array.of(1, 2), Int32Array.of(1, 2))).rejects.toThrow(
        /tokenIds has 2 entries for 1 rows/,
      );
      await w.close();
      await expect(w.append(Float32Array.of(1, 2))).rejects.toThrow(/after close/);
      expect(() => new ShardWriter(dir, { dIn: 0 })).toThrow(/'dIn'/);
      expect(new ShardWriter(dir, { dIn: 1024 }).rowsPerShard).toBe(65536);
    });
  });
});

describe('readShardIds', () => {
  it('reads token and sequence ids from safetensors shards and .npy siblings', async () => {
    await withTempDir(async (dir) => {
      const w = new ShardWriter(dir, { dIn: 2, rowsPerShard: 3 });
      await w.append(new Float32Array(6), Int32Array.of(5, 6, 7), Int32Array.of(0, 0, 1));
      const [shard] = await w.close();
      expect(await readShardIds(shard)).toEqual({
        tokenIds: Int32Array.of(5, 6, 7),
        sequenceIds: Int32Array.of(0, 0, 1),
      });
      await writeNpy(join(dir, 'a.npy'), { shape: [3, 2], data: new Float32Array(6) });
      expect(await readShardIds(join(dir, 'a.npy'))).toEqual({});
      await writeNpy(join(dir, 'a.token_ids.npy'), {
        shape: [3],
        data: BigInt64Array.of(1n, 2n, 3n),
      });
      expect(await readShardIds(join(dir, 'a.npy'))).toEqual({ tokenIds: Int32Array.of(1, 2, 3) });
      await writeNpy(join(dir, 'a.sequence_ids.npy'), { shape: [2], data: Int32Array.of(1, 2) });
      await expect(readShardIds(join(dir, 'a.npy'))).rejects.toThrow(
        /a\.sequence_ids\.npy: sequence_ids has shape \[2\], expected \[3\]/,
      );
    });
  });
});

describe('positions are plain JSON', () => {
  it('survives a JSON round trip unchanged', async () => {
    const ds = await ActivationDataset.open(fixture('shards'), { batchSize: 2, seed: 3 });
    await collect(ds, 3);
    const p = ds.position();
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p).toMatchObject({ format: 'saekit-dataset-position', version: 1, batches: 3, seed: 3 });
  });
});

describe('ActivationDataset: the edges of positions and epochs', () => {
  it('epochs Infinity streams on; position 0 is the start', async () => {
    const forever = await ActivationDataset.open(fixture('shards'), {
      batchSize: 5,
      epochs: Number.POSITIVE_INFINITY,
    });
    expect(forever.totalBatches).toBe(Number.POSITIVE_INFINITY);
    expect((await collect(forever, 10)).length).toBe(10);
    const options = { batchSize: 5, seed: 2, epochs: 2 };
    const full = await collect(await ActivationDataset.open(fixture('shards'), options));
    const ds = await ActivationDataset.open(fixture('shards'), options);
    const start = ds.positionAt(0);
    expect(start.batches).toBe(0);
    const resumed = await ActivationDataset.open(fixture('shards'), {
      ...options,
      position: start,
    });
    expect(await collect(resumed)).toEqual(full);
  });

  it('a position whose file list holds one malformed identity is refused', async () => {
    const options = { batchSize: 5 };
    const position = (await ActivationDataset.open(fixture('shards'), options)).position();
    const files = [position.files[0], { name: 'part-1.npy' }];
    await expect(
      ActivationDataset.open(fixture('shards'), {
        ...options,
        position: { ...position, files } as unknown as DatasetPosition,
      }),
    ).rejects.toThrow(/files: not a list of shard identities/);
  });
});
