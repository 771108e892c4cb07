import { join } from 'node:path';
import {
  createCpuBackend,
  DataError,
  MemoryRunStore,
  readSavedRun,
  TrainingRun,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  ActivationDataset,
  datasetSource,
  FormatError,
  writeNpy,
  writeSafetensors,
} from '../src/index.js';
import { withTempDir } from './helpers.js';

const D = 3;

/** Row r: input r + c/1000, target −(r + c/1000) (so a target row names its input row). */
async function writePairedShard(
  path: string,
  first: number,
  rows: number,
  options: { targetRows?: number; targetWidth?: number } = {},
): Promise<void> {
  const input = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < D; c++) input[r * D + c] = first + r + c / 1000;
  const tr = options.targetRows ?? rows;
  const tw = options.targetWidth ?? D;
  const target = new Float32Array(tr * tw);
  for (let r = 0; r < tr; r++)
    for (let c = 0; c < tw; c++) target[r * tw + c] = -(first + r + c / 1000);
  await writeSafetensors(path, {
    activations: { shape: [rows, D], data: input },
    mlp_out: { shape: [tr, tw], data: target },
  });
}

/** The input row ids of a paired batch, checking that every target row is its input's. */
function pairedIds(batch: Float32Array): number[] {
  const rows = batch.length / (2 * D);
  const ids: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < D; c++) expect(batch[rows * D + r * D + c]).toBe(-batch[r * D + c]);
    ids.push(Math.round(batch[r * D]));
  }
  return ids;
}

async function collect(ds: AsyncIterable<Float32Array>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const b of ds) out.push(b);
  return out;
}

describe('paired (transcoder) activation datasets', () => {
  it('yield input and target rows shuffled identically, every row once per epoch', async () => {
    await withTempDir(async (dir) => {
      await writePairedShard(join(dir, 'a.safetensors'), 0, 37);
      await writePairedShard(join(dir, 'b.safetensors'), 100, 29);
      for (const workers of [0, 1]) {
        const ds = await ActivationDataset.open(dir, {
          batchSize: 8,
          shuffleBuffer: 16,
          seed: 3,
          targetTensorName: 'mlp_out',
          dropLast: false,
          workers,
        });
        expect(ds.targetTensor).toBe('mlp_out');
        const batches = await collect(ds);
        const ids = batches.flatMap(pairedIds);
        const want = [
          ...Array.from({ length: 37 }, (_, i) => i),
          ...Array.from({ length: 29 }, (_, i) => 100 + i),
        ];
        expect([...ids].sort((x, y) => x - y)).toEqual(want);
        // Shuffled, and in the same order as the unpaired dataset with the same seed.
        expect(ids).not.toEqual(want);
        const plain = await ActivationDataset.open(dir, {
          batchSize: 8,
          shuffleBuffer: 16,
          seed: 3,
          dropLast: false,
        });
        const plainIds = (await collect(plain)).flatMap((b) =>
          Array.from({ length: b.length / D }, (_, r) => Math.round(b[r * D])),
        );
        expect(ids).toEqual(plainIds);
      }
    });
  });

  it('resume from a position gives exactly the batches an uninterrupted pass gives', async () => {
    await withTempDir(async (dir) => {
      await writePairedShard(join(dir, 'a.safetensors'), 0, 50);
      await writePairedShard(join(dir, 'b.safetensors'), 100, 30);
      const options = {
        batchSize: 6,
        shuffleBuffer: 20,
        seed: 9,
        epochs: 2,
        targetTensorName: 'mlp_out',
      };
      const all = await collect(await ActivationDataset.open(dir, options));
      const src = await datasetSource(dir, options);
      const position = src.positionAt(11);
      const rest = await collect(await src.open(position));
      expect(rest.length).toBe(all.length - 11);
      for (let i = 0; i < rest.length; i++) expect(rest[i]).toEqual(all[11 + i]);
      // A position of the same shards read without the target does not fit the paired stream.
      const plain = await datasetSource(dir, {
        batchSize: 6,
        shuffleBuffer: 20,
        seed: 9,
        epochs: 2,
      });
      await expect(
        ActivationDataset.open(dir, { ...options, position: plain.dataset.positionAt(3) }),
      ).rejects.toThrow(/fingerprint/);
    });
  });

  it('a target with other rows or width, a missing one, or a .npy shard: typed errors naming file and tensor', async () => {
    await withTempDir(async (dir) => {
      const rowsOff = join(dir, 'rows', 'x.safetensors');
      await writePairedShard(join(dir, 'rows', 'a.safetensors'), 0, 10);
      await writePairedShard(rowsOff, 0, 10, { targetRows: 9 });
      const e = await ActivationDataset.open(join(dir, 'rows'), {
        batchSize: 2,
        targetTensorName: 'mlp_out',
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DataError);
      expect((e as Error).message).toContain(rowsOff);
      expect((e as Error).message).toMatch(/'mlp_out' has 9 rows but the input tensor has 10/);

      const wide = join(dir, 'wide.safetensors');
      await writePairedShard(wide, 0, 10, { targetWidth: 4 });
      await expect(
        ActivationDataset.open(wide, { batchSize: 2, targetTensorName: 'mlp_out' }),
      ).rejects.toThrow(
        /wide\.safetensors: target tensor 'mlp_out' has width 4 but the input tensor has 3/,
      );

      await expect(
        ActivationDataset.open(join(dir, 'rows', 'a.safetensors'), {
          batchSize: 2,
          targetTensorName: 'resid_post',
        }),
      ).rejects.toThrow(FormatError);
      await expect(
        ActivationDataset.open(join(dir, 'rows', 'a.safetensors'), {
          batchSize: 2,
          targetTensorName: 'resid_post',
        }),
      ).rejects.toThrow(/no tensor named 'resid_post'/);
      await expect(
        ActivationDataset.open(join(dir, 'rows', 'a.safetensors'), {
          batchSize: 2,
          targetTensorName: 'activations',
        }),
      ).rejects.toThrow(/is the input tensor itself/);

      const npy = join(dir, 'n.npy');
      await writeNpy(npy, { shape: [4, D], data: new Float32Array(4 * D) });
      await expect(
        ActivationDataset.open(npy, { batchSize: 2, targetTensorName: 'mlp_out' }),
      ).rejects.toThrow(/n\.npy: a \.npy shard holds one tensor/);
    });
  });
});

describe('a transcoder run on paired shards', () => {
  it('interrupted and resumed from its saved data position ends bit-identical to an uninterrupted run', async () => {
    await withTempDir(async (dir) => {
      // Targets are a fixed non-linear map of the inputs, so there is something to learn.
      for (const [name, first] of [
        ['a', 0],
        ['b', 1],
      ] as const) {
        const rows = 300;
        const x = Float32Array.from({ length: rows * 8 }, (_, i) => Math.sin(i * 0.37 + first));
        const y = x.map((v, i) => Math.max(0, v) * (1 + (i % 8)) - 0.1);
        await writeSafetensors(join(dir, `${name}.safetensors`), {
          activations: { shape: [rows, 8], data: x },
          mlp_out: { shape: [rows, 8], data: y },
        });
      }
      const config = {
        dIn: 8,
        dSae: 32,
        k: 3,
        batchSize: 50,
        steps: 20,
        seed: 2,
        initTokens: 100,
        warmupSteps: 2,
        targetTensor: 'mlp_out',
      };
      const source = () =>
        datasetSource(dir, {
          batchSize: 50,
          seed: 2,
          shuffleBuffer: 120,
          epochs: Number.POSITIVE_INFINITY,
          targetTensorName: 'mlp_out',
        });
      const straight = await TrainingRun.create(createCpuBackend(), {
        config,
        source: await source(),
      });
      await straight.run();
      const want = await straight.trainer.exportWeights();
      const store = new MemoryRunStore();
      const controller = new AbortController();
      const first = await TrainingRun.create(createCpuBackend(), {
        config,
        source: await source(),
        store,
        checkpointEvery: 4,
        onStep: (m) => {
          if (m.step === 7) controller.abort();
        },
      });
      expect((await first.run({ signal: controller.signal })).stopped).toBe('aborted');
      const saved = await readSavedRun(store);
      const resumed = await TrainingRun.resume(createCpuBackend(), saved!, {
        source: await source(),
        store,
      });
      await resumed.run();
      const got = await resumed.trainer.exportWeights();
      for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
        expect(Buffer.from(got[key].buffer).equals(Buffer.from(want[key].buffer)), key).toBe(true);
      }
      expect(got.transcoder).toBe(true);
    });
  });
});

describe('paired datasets: batches across windows and epochs', () => {
  it('a batch spanning shuffle windows and an epoch boundary keeps every target with its input', async () => {
    await withTempDir(async (dir) => {
      await writePairedShard(join(dir, 'a.safetensors'), 0, 23);
      await writePairedShard(join(dir, 'b.safetensors'), 100, 14);
      const ds = await ActivationDataset.open(dir, {
        batchSize: 7,
        shuffleBuffer: 10,
        seed: 4,
        epochs: 2,
        targetTensorName: 'mlp_out',
      });
      const batches = await collect(ds);
      expect(batches.length).toBe(10); // 74 rows / 7
      const ids = batches.flatMap(pairedIds);
      expect(ids.length).toBe(70);
      // Pinned, as for unpaired data: a saved position must keep meaning the same rows.
      expect(ds.position().fingerprint).toBe('b3727165');
    });
  });
});
