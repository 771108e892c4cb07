import { join } from 'node:path';
import {
  createCpuBackend,
  type SaeWeights,
  SyntheticActivations,
  type TrainConfigInput,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  ActivationDataset,
  type DatasetPosition,
  loadTrainingState,
  ShardWriter,
  saveTrainingState,
} from '../src/index.js';
import { withTempDir } from './helpers.js';

const D_IN = 16;
const BATCH = 32;
const STEPS = 40;
const CHECKPOINT_EVERY = 10;

const config: TrainConfigInput = {
  dIn: D_IN,
  dSae: 64,
  k: 4,
  batchSize: BATCH,
  steps: STEPS,
  initTokens: BATCH,
  deadTokens: BATCH * 5,
  seed: 7,
};

/** 3 shards of synthetic activations, written in f16 (so conversion is part of the run). */
async function writeShards(dir: string): Promise<void> {
  const source = new SyntheticActivations({ dIn: D_IN, nFeatures: 48, batchSize: 100, seed: 3 });
  const writer = new ShardWriter(dir, { dIn: D_IN, dtype: 'f16', rowsPerShard: 300 });
  let rows = 0;
  for await (const batch of source) {
    await writer.append(batch);
    rows += 100;
    if (rows >= 900) break;
  }
  await writer.close();
}

const openData = (dir: string, position?: DatasetPosition) =>
  ActivationDataset.open(dir, {
    batchSize: BATCH,
    shuffleBuffer: 128,
    seed: 11,
    epochs: 2,
    position,
  });

async function exported(trainer: Trainer): Promise<SaeWeights> {
  const w = await trainer.exportWeights();
  trainer.dispose();
  return w;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/**
 * Trains `cfg` from `shards`, checkpointing to disk at `checkpointAt` steps, and "kills" the
 * process `killAfter` steps later; returns the checkpoint path.
 */
async function runAndKill(
  cfg: TrainConfigInput,
  shards: string,
  ckpt: string,
  checkpointAt: readonly number[],
  killAt: number,
): Promise<void> {
  const killed = await Trainer.create(createCpuBackend(), cfg);
  const data = await openData(shards);
  const kill = new AbortController();
  await killed.train(data, {
    signal: kill.signal,
    onStep: async (m) => {
      if (checkpointAt.includes(m.step)) {
        // One batch per step: positionAt(stepsDone) is the data position matching the state,
        // also while the trainer holds batches it pulled ahead (initialisation, pipelining).
        const state = await killed.saveState({ data: data.positionAt(killed.stepsDone) });
        await saveTrainingState(ckpt, state);
      }
      if (m.step === killAt) kill.abort();
    },
  });
  expect(killed.stepsDone).toBeLessThan(STEPS);
  killed.dispose();
}

describe('resume after kill (cpu backend, ActivationDataset, training state on disk)', () => {
  const scenarios: [string, TrainConfigInput, number[], number][] = [
    [
      `checkpoints at steps 10 and 20, killed at step 22`,
      config,
      [CHECKPOINT_EVERY, 2 * CHECKPOINT_EVERY],
      2 * CHECKPOINT_EVERY + 2,
    ],
    [
      `initialised from 3 batches, checkpoint at step 1 (batches pulled ahead), killed at step 5`,
      { ...config, initTokens: 3 * BATCH },
      [1],
      5,
    ],
  ];
  for (const [what, cfg, checkpointAt, killAt] of scenarios) {
    it(`${what}: the resumed ${STEPS}-step run ends bit-identical to the uninterrupted one`, async () => {
      await withTempDir(async (dir) => {
        const shards = join(dir, 'shards');
        await writeShards(shards);

        const straight = await Trainer.create(createCpuBackend(), cfg);
        const summary = await straight.train(await openData(shards));
        expect(summary.steps).toBe(STEPS);
        const want = await exported(straight);

        const ckpt = join(dir, 'state.safetensors');
        await runAndKill(cfg, shards, ckpt, checkpointAt, killAt);

        // A new process: everything comes from disk.
        const state = await loadTrainingState(ckpt);
        const position = (state.meta['extra'] as { data: DatasetPosition }).data;
        expect(position.batches).toBe(state.meta['step']);
        expect(position.batches).toBeGreaterThanOrEqual(checkpointAt[checkpointAt.length - 1]);
        expect(position.batches).toBeLessThan(killAt);
        const resumed = await Trainer.create(createCpuBackend(), null, { state });
        const rest = await resumed.train(await openData(shards, position));
        expect(rest.steps).toBe(STEPS);
        const got = await exported(resumed);

        expect(got.dIn).toBe(want.dIn);
        for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
          expect(sameBits(got[key], want[key]), key).toBe(true);
        }
        // Control: resuming one batch off in the data gives different weights, so the equality
        // above is evidence of an exact resume and not of an insensitive comparison.
        const off = await Trainer.create(createCpuBackend(), null, { state });
        await off.train(await openData(shards, { ...position, batches: position.batches + 1 }));
        expect(sameBits((await exported(off)).wDec, want.wDec)).toBe(false);
        // And the run learned something, so the comparison is not between two untouched inits.
        expect(summary.last?.fvu).toBeLessThan(1);
      });
    });
  }
});
