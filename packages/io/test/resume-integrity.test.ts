import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, relative as relative_, resolve } from 'node:path';
import {
  createCpuBackend,
  DataError,
  readSavedRun,
  SyntheticActivations,
  type TrainConfigInput,
  TrainingRun,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  datasetSource,
  FormatError,
  LOCK_NAME,
  loadTrainingState,
  RunFolder,
  RunLockedError,
  readNpy,
  writeNpy,
} from '../src/index.js';
import { withTempDir } from './helpers.js';

const D_IN = 16;
const BATCH = 32;
const config: TrainConfigInput = {
  dIn: D_IN,
  dSae: 64,
  k: 4,
  batchSize: BATCH,
  steps: 12,
  initTokens: 2 * BATCH,
  deadTokens: BATCH * 5,
  seed: 7,
};
const dataOptions = { batchSize: BATCH, shuffleBuffer: 128, seed: 11, epochs: 3 };

/** Two .npy shards of 300 rows each. */
async function writeShards(dir: string): Promise<void> {
  const source = new SyntheticActivations({ dIn: D_IN, nFeatures: 48, batchSize: 300, seed: 3 });
  for (const name of ['part-0.npy', 'part-1.npy']) {
    await writeNpy(join(dir, name), { shape: [300, D_IN], data: source.batch() });
  }
}

/** Trains `steps` of a run on `shards` into `out`, stopping (as if killed) after `stopAt`. */
async function trainInto(shards: string, out: string, stopAt?: number) {
  const controller = new AbortController();
  let steps = 0;
  const run = await TrainingRun.create(createCpuBackend(), {
    config,
    source: await datasetSource(shards, dataOptions),
    store: new RunFolder(out),
    checkpointEvery: 4,
    onStep: () => {
      if (++steps === stopAt) controller.abort();
    },
  });
  const result = await run.run({ signal: controller.signal });
  const weights = await run.trainer.exportWeights();
  run.dispose();
  return { result, weights };
}

async function resumeFrom(shards: string, out: string) {
  const folder = new RunFolder(out);
  const saved = (await readSavedRun(folder))!;
  const run = await TrainingRun.resume(createCpuBackend(), saved, {
    source: await datasetSource(shards, dataOptions),
    store: folder,
    checkpointEvery: 4,
  });
  await run.run();
  const weights = await run.trainer.exportWeights();
  run.dispose();
  return weights;
}

describe('issue 13 #9: one writer per run folder', () => {
  it('a second writer gets a one-line RunLockedError naming the holder; the lock goes when the run ends', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'run');
      const first = new RunFolder(out);
      await first.lock();
      const second = new RunFolder(out);
      const err = await second.openMetrics(null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunLockedError);
      expect(String(err)).toMatch(
        new RegExp(
          `${out}: another saekit process \\(pid ${process.pid} on .*\\) is writing this run`,
        ),
      );
      expect(String(err).split('\n')).toHaveLength(1);
      await first.release();
      expect(existsSync(join(out, LOCK_NAME))).toBe(false);
      await second.lock();
      await second.release();
    });
  });

  it('a TrainingRun on a locked folder fails before writing anything; its own run releases the lock', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const out = join(dir, 'run');
      const holder = new RunFolder(out);
      await holder.lock();
      const err = await trainInto(shards, out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunLockedError);
      expect(existsSync(join(out, 'metrics.jsonl'))).toBe(false);
      await holder.release();
      await trainInto(shards, out);
      expect(existsSync(join(out, LOCK_NAME))).toBe(false);
      // A checkpoint taken outside run() (a sweep's after an abort) leaves no lock either.
      const folder = new RunFolder(out);
      const run = await TrainingRun.resume(createCpuBackend(), (await readSavedRun(folder))!, {
        source: await datasetSource(shards, dataOptions),
        store: folder,
      });
      await run.checkpoint(false);
      run.dispose();
      expect(existsSync(join(out, LOCK_NAME))).toBe(false);
    });
  });

  it('a lock left by a killed process is stale: taken over, with a note', async () => {
    await withTempDir(async (dir) => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      await writeFile(
        join(dir, LOCK_NAME),
        JSON.stringify({ pid: dead, host: hostname(), since: '2026-01-01T00:00:00.000Z' }),
      );
      const notes: string[] = [];
      const folder = new RunFolder(dir, { onNote: (m) => notes.push(m) });
      await folder.lock();
      expect(notes).toEqual([
        `took over the lock of pid ${dead} (since 2026-01-01T00:00:00.000Z), which is no longer running`,
      ]);
      const held = JSON.parse(await readFile(join(dir, LOCK_NAME), 'utf8'));
      expect(held.pid).toBe(process.pid);
      await folder.release();
    });
  });
});

describe('issue 13 #10: data identity', () => {
  it('a shard replaced by same-shape content (rows reversed) is refused, naming the shard', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const out = join(dir, 'run');
      await trainInto(shards, out, 6);
      const victim = join(shards, 'part-1.npy');
      const t = await readNpy(victim);
      const rows = t.shape[0];
      const data = t.data as Float32Array;
      const reversed = new Float32Array(data.length);
      for (let r = 0; r < rows; r++) {
        reversed.set(data.subarray((rows - 1 - r) * D_IN, (rows - r) * D_IN), r * D_IN);
      }
      await writeNpy(victim, { shape: [rows, D_IN], data: reversed });
      const err = await resumeFrom(shards, out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect(String(err)).toContain(
        `${victim}: changed since the saved run: same size, different content`,
      );
    });
  });

  it('moved data resumes (from its new path) and ends bit-identical to the uninterrupted run', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const { weights: want } = await trainInto(shards, join(dir, 'straight'));
      const out = join(dir, 'run');
      await trainInto(shards, out, 6);
      const moved = join(dir, 'elsewhere');
      await rename(shards, moved);
      const got = await resumeFrom(moved, out);
      expect(Buffer.from(got.wEnc.buffer).equals(Buffer.from(want.wEnc.buffer))).toBe(true);
    });
  });

  it('datasetSource gives the spec resolved, to save with the run', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const relative = relative_(process.cwd(), shards);
      const source = await datasetSource(relative, dataOptions);
      expect(source.spec).toBe(resolve(relative));
      expect(source.spec.startsWith('/')).toBe(true);
    });
  });
});

describe('issue 13 #12: the state file is checksummed', () => {
  it('a flipped bit in the weights is caught on load', async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);
      const out = join(dir, 'run');
      await trainInto(shards, out, 6);
      const path = join(out, 'training_state.safetensors');
      await loadTrainingState(path);
      const bytes = new Uint8Array(await readFile(path));
      bytes[bytes.length - 100] ^= 0x04;
      await writeFile(path, bytes);
      const err = await loadTrainingState(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toContain(`${path}: checksum mismatch: the training state is corrupt`);
    });
  });
});
