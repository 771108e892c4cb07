import {
  ConfigError,
  countedSource,
  createCpuBackend,
  MemoryRunStore,
  type RunSource,
  readSavedRun,
  type SaeWeights,
  SweepMemberError,
  SyntheticActivations,
  type TrainConfigInput,
  TrainingRun,
  TrainingSweep,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

const D_IN = 16;
const BATCH = 64;
const base = { dIn: D_IN, batchSize: BATCH, steps: 24, seed: 5, initTokens: 2 * BATCH } as const;
/** A sweep over k, width, lr and architecture. */
const MEMBERS: TrainConfigInput[] = [
  { ...base, dSae: 64, k: 4 },
  { ...base, dSae: 96, k: 8, lr: 0.003 },
  { ...base, dSae: 64, k: 4, architecture: 'batchtopk' },
  {
    ...base,
    dSae: 64,
    architecture: 'jumprelu',
    targetL0: 6,
    jumpreluInitThreshold: 0.2,
    jumpreluBandwidth: 0.2,
  },
];

function batches(n: number): Float32Array[] {
  const data = new SyntheticActivations({ dIn: D_IN, nFeatures: 48, batchSize: BATCH, seed: 3 });
  return Array.from({ length: n }, () => data.batch());
}

/** A source over a fixed list that counts the batches it hands out. */
function listSource(list: Float32Array[], reads: { n: number } = { n: 0 }): RunSource {
  return countedSource(function* () {
    for (const b of list) {
      reads.n++;
      yield b;
    }
  }, D_IN);
}

function expectSameWeights(a: SaeWeights, b: SaeWeights, what: string): void {
  for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec', 'threshold'] as const) {
    const [x, y] = [a[key], b[key]];
    if (x === undefined || y === undefined) {
      expect(y, `${what} ${key}`).toBe(x);
      continue;
    }
    expect(Buffer.from(x.buffer).equals(Buffer.from(y.buffer)), `${what} ${key}`).toBe(true);
  }
}

async function alone(config: TrainConfigInput, list: Float32Array[]): Promise<SaeWeights> {
  const store = new MemoryRunStore();
  const run = await TrainingRun.create(createCpuBackend(), {
    config,
    source: listSource(list),
    store,
  });
  await run.run();
  run.dispose();
  return store.sae!.weights;
}

describe('TrainingSweep: several SAEs from one stream', () => {
  it('reads each batch once; every member is bit-identical to it trained alone', async () => {
    const data = batches(30);
    const reads = { n: 0 };
    const stores = MEMBERS.map(() => new MemoryRunStore());
    const steps: number[][] = MEMBERS.map(() => []);
    const sweep = await TrainingSweep.create(
      createCpuBackend(),
      MEMBERS.map((config, i) => ({ config, store: stores[i] })),
      { source: listSource(data, reads), onStep: (i, m) => void steps[i].push(m.step) },
    );
    const result = await sweep.run();
    sweep.dispose();
    expect(result.stopped).toBe('completed');
    // 24 steps (+ at most one batch read ahead), not 4 × 24.
    expect(reads.n).toBeLessThanOrEqual(25);
    for (let i = 0; i < MEMBERS.length; i++) {
      expect(steps[i]).toEqual(Array.from({ length: 24 }, (_, s) => s + 1));
      expect(stores[i].sae!.final).toBe(true);
      expectSameWeights(stores[i].sae!.weights, await alone(MEMBERS[i], data), `member ${i}`);
    }
  });

  it('an abort stops every member at the same step; resume finishes the set bit-identically', async () => {
    const data = batches(30);
    const straight = MEMBERS.map(() => new MemoryRunStore());
    const s0 = await TrainingSweep.create(
      createCpuBackend(),
      MEMBERS.map((config, i) => ({ config, store: straight[i] })),
      { source: listSource(data) },
    );
    await s0.run();
    s0.dispose();

    const stores = MEMBERS.map(() => new MemoryRunStore());
    const controller = new AbortController();
    const first = await TrainingSweep.create(
      createCpuBackend(),
      MEMBERS.map((config, i) => ({ config, store: stores[i] })),
      {
        source: listSource(data),
        checkpointEvery: 5,
        // Member 2 aborts mid-run: the others are at other points of their own steps.
        onStep: (i, m) => {
          if (i === 2 && m.step === 11) controller.abort();
        },
      },
    );
    const stopped = await first.run({ signal: controller.signal });
    first.dispose();
    expect(stopped.stopped).toBe('aborted');
    const at = stopped.members.map((m) => m.steps);
    expect(new Set(at).size).toBe(1);
    expect(at[0]).toBeGreaterThanOrEqual(11);
    expect(at[0]).toBeLessThan(24);
    for (const s of stores) expect(s.sae!.final).toBe(false);

    const saved = await Promise.all(
      stores.map(async (store) => ({ run: (await readSavedRun(store))!, store })),
    );
    const resumed = await TrainingSweep.resume(createCpuBackend(), saved, {
      source: listSource(data),
    });
    const done = await resumed.run();
    resumed.dispose();
    expect(done.stopped).toBe('completed');
    for (let i = 0; i < MEMBERS.length; i++) {
      expectSameWeights(stores[i].sae!.weights, straight[i].sae!.weights, `member ${i}`);
    }
  });

  it('refuses members that cannot share batches, and saved runs from different positions', async () => {
    await expect(
      TrainingSweep.create(
        createCpuBackend(),
        [{ config: MEMBERS[0] }, { config: { ...MEMBERS[0], batchSize: 32 } }],
        { source: listSource(batches(2)) },
      ),
    ).rejects.toThrow(ConfigError);
    const data = batches(12);
    const stores = [new MemoryRunStore(), new MemoryRunStore()];
    for (const [i, steps] of [5, 7].entries()) {
      const r = await TrainingRun.create(createCpuBackend(), {
        config: { ...MEMBERS[0], steps },
        source: listSource(data),
        store: stores[i],
      });
      await r.run();
      r.dispose();
    }
    const saved = await Promise.all(
      stores.map(async (store) => ({ run: (await readSavedRun(store))! })),
    );
    await expect(
      TrainingSweep.resume(createCpuBackend(), saved, { source: listSource(data) }),
    ).rejects.toThrow(/member 1 stopped at step 7/);
  });

  it('checks each member of a resumed sweep against what the caller gives it, naming the member', async () => {
    const data = batches(12);
    const configs = [
      { ...MEMBERS[0], steps: 4 },
      { ...MEMBERS[1], steps: 4 },
    ];
    const stores = configs.map(() => new MemoryRunStore());
    const sweep = await TrainingSweep.create(
      createCpuBackend(),
      configs.map((config, i) => ({ config, store: stores[i], metadata: { tag: `m${i}` } })),
      { source: listSource(data) },
    );
    await sweep.run();
    sweep.dispose();
    const saved = await Promise.all(stores.map(async (store) => (await readSavedRun(store))!));
    const given = (k1: number, tag1: string) =>
      TrainingSweep.resume(
        createCpuBackend(),
        [
          { run: saved[0], config: { k: 4 }, metadata: { tag: 'm0' } },
          { run: saved[1], config: { k: k1 }, metadata: { tag: tag1 } },
        ],
        { source: listSource(data) },
      );
    const wrongK = await given(4, 'm1').catch((e: unknown) => e);
    expect(wrongK).toBeInstanceOf(SweepMemberError);
    expect(wrongK).toMatchObject({ member: 1, key: 'k' });
    expect((wrongK as Error).message).toMatch(/member 1: 4 differs from the saved run's 8/);
    await expect(given(8, 'other')).rejects.toMatchObject({ member: 1, key: 'tag' });
    const ok = await given(8, 'm1');
    ok.dispose();
  });
});
