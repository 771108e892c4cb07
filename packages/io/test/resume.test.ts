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

describe('resume after kill (cpu backend, ActivationDataset, training state on disk)', () => {
  it(`a run killed after its step-${2 * CHECKPOINT_EVERY} checkpoint and resumed ends bit-identical to an uninterrupted ${STEPS}-step run`, async () => {
    await withTempDir(async (dir) => {
      const shards = join(dir, 'shards');
      await writeShards(shards);

      // The uninterrupted run.
      const straight = await Trainer.create(createCpuBackend(), config);
      const summary = await straight.train(await openData(shards));
      expect(summary.steps).toBe(STEPS);
      const want = await exported(straight);

      // The same run with checkpoints, killed two steps after the second checkpoint.
      const ckpt = join(dir, 'state.safetensors');
      const killed = await Trainer.create(createCpuBackend(), config);
      const data = await openData(shards);
      const kill = new AbortController();
      let checkpoints = 0;
      await killed.train(data, {
        signal: kill.signal,
        onStep: async (m) => {
          if (m.step % CHECKPOINT_EVERY === 0 && checkpoints < 2) {
            // Inside onStep the trainer and the dataset have both moved one batch on (the
            // trainer keeps a step in flight), so the state and the position agree.
            const state = await killed.saveState({ data: data.position() });
            expect(state.meta['step']).toBe((data.position() as DatasetPosition).batches);
            await saveTrainingState(ckpt, state);
            checkpoints++;
          }
          if (m.step === 2 * CHECKPOINT_EVERY + 2) kill.abort();
        },
      });
      expect(killed.stepsDone).toBeLessThan(STEPS);
      killed.dispose();

      // A new process: everything comes from disk.
      const state = await loadTrainingState(ckpt);
      const position = (state.meta['extra'] as { data: DatasetPosition }).data;
      expect(position.batches).toBe(state.meta['step']);
      expect(position.batches).toBeGreaterThan(2 * CHECKPOINT_EVERY - 1);
      expect(position.batches).toBeLessThan(2 * CHECKPOINT_EVERY + 2);
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
      // And the run did learn something, so the comparison is not between two untouched inits.
      expect(summary.last?.fvu).toBeLessThan(1);
    });
  });
});
