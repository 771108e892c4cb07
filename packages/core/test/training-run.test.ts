import {
  ConfigError,
  countedSource,
  createCpuBackend,
  MemoryRunStore,
  type MetricsRecord,
  ResumeMismatchError,
  RunExistsError,
  type RunSource,
  readSavedRun,
  type SaeWeights,
  type StepMetrics,
  SyntheticActivations,
  type TrainConfigInput,
  Trainer,
  TrainingRun,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

const D_IN = 16;
const BATCH = 64;
const config: TrainConfigInput = {
  dIn: D_IN,
  dSae: 64,
  k: 4,
  batchSize: BATCH,
  steps: 30,
  seed: 7,
  // Initialised from the first 3 batches: more than a checkpoint chunk in some tests below.
  initTokens: 3 * BATCH,
  deadTokens: 4 * BATCH,
  warmupSteps: 4,
};

function batches(n: number): Float32Array[] {
  const data = new SyntheticActivations({ dIn: D_IN, nFeatures: 48, batchSize: BATCH, seed: 3 });
  return Array.from({ length: n }, () => data.batch());
}

/** A source over a fixed list that records which batch indices it handed out. */
function listSource(list: Float32Array[], handedOut: number[] = []): RunSource {
  return countedSource(function* () {
    for (let i = 0; i < list.length; i++) {
      handedOut.push(i);
      yield list[i];
    }
  }, D_IN);
}

function expectSameWeights(a: SaeWeights, b: SaeWeights): void {
  for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
    expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer)), key).toBe(true);
  }
}

const strip = ({ elapsed_s: _e, tokens_per_s: _t, ...r }: MetricsRecord) => r;

/** The reference: initialise from the first batches, then one `step` per batch, in order. */
async function stepByStep(list: Float32Array[], steps: number): Promise<SaeWeights> {
  const t = await Trainer.create(createCpuBackend(), { ...config, steps });
  const init = list.slice(0, 3);
  const all = new Float32Array(init.length * BATCH * D_IN);
  for (const [i, b] of init.entries()) all.set(b, i * b.length);
  t.initialize(all);
  for (let i = 0; i < steps; i++) await t.step(list[i]);
  return t.exportWeights();
}

describe('TrainingRun: interrupted and resumed = uninterrupted (cpu)', () => {
  it('an AbortSignal stops it, a checkpoint is saved, and the resumed run ends bit-identical', async () => {
    const data = batches(40);
    const straightStore = new MemoryRunStore();
    const straight = await TrainingRun.create(createCpuBackend(), {
      config,
      source: listSource(data),
      store: straightStore,
      checkpointEvery: 10,
      logEvery: 5,
    });
    const done = await straight.run();
    expect(done).toMatchObject({ stopped: 'completed', steps: 30 });
    expect(done.last?.fvu).toBeLessThan(1);
    const want = await straight.trainer.exportWeights();

    // First process: aborted after step 13, between the checkpoints at 10 and 20.
    const store = new MemoryRunStore();
    const controller = new AbortController();
    const checkpoints: number[] = [];
    const first = await TrainingRun.create(createCpuBackend(), {
      config,
      source: listSource(data),
      store,
      checkpointEvery: 10,
      logEvery: 5,
      metadata: { model: 'synthetic' },
      onStep: (m) => {
        if (m.step === 13) controller.abort();
      },
      onCheckpoint: (c) => void checkpoints.push(c.step),
    });
    const stopped = await first.run({ signal: controller.signal });
    expect(stopped.stopped).toBe('aborted');
    // With one step in flight, the abort is seen after step 13's metrics: step 14 was issued.
    expect(stopped.steps).toBeGreaterThanOrEqual(13);
    expect(stopped.steps).toBeLessThan(20);
    expect(checkpoints).toEqual([10, stopped.steps]);
    first.dispose();

    // Second process: everything comes from the store.
    const saved = await readSavedRun<{ model: string }>(store);
    expect(saved?.step).toBe(stopped.steps);
    expect(saved?.position).toBe(stopped.steps);
    expect(saved?.metadata).toEqual({ model: 'synthetic' });
    const resumed = await TrainingRun.resume(createCpuBackend(), saved!, {
      source: listSource(data),
      store,
      checkpointEvery: 10,
      logEvery: 5,
    });
    expect(resumed.metadata.model).toBe('synthetic');
    const rest = await resumed.run();
    expect(rest).toMatchObject({ stopped: 'completed', steps: 30 });
    expectSameWeights(await resumed.trainer.exportWeights(), want);
    // The metrics log reads as one run: the same records, none twice, plus the step the
    // interrupted process stopped at.
    expect(store.metrics.map((r) => r.step)).toEqual([5, 10, stopped.steps, 15, 20, 25, 30]);
    const atCadence = store.metrics.filter((r) => r.step !== stopped.steps);
    expect(atCadence.map(strip)).toEqual(straightStore.metrics.map(strip));
    expect(store.sae?.final).toBe(true);
    expect(store.sae?.steps).toBe(30);

    // Control: the same state resumed one batch off in the data ends elsewhere.
    const off = await TrainingRun.resume(createCpuBackend(), saved!, {
      source: listSource(data.slice(1)),
    });
    await off.run();
    const offWeights = await off.trainer.exportWeights();
    expect(Buffer.from(offWeights.wDec.buffer).equals(Buffer.from(want.wDec.buffer))).toBe(false);
  });
});

describe('TrainingRun: no batch lost or repeated across chunks', () => {
  it('checkpointing every step (fewer than the 3 init batches) trains each batch once, in order', async () => {
    const data = batches(40);
    const handedOut: number[] = [];
    const store = new MemoryRunStore();
    const run = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 12 },
      source: listSource(data, handedOut),
      store,
      checkpointEvery: 1,
    });
    const result = await run.run();
    expect(result).toMatchObject({ stopped: 'completed', steps: 12 });
    // Each batch was read once: the 3 init batches up front, then one per step.
    expect(handedOut).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expectSameWeights(await run.trainer.exportWeights(), await stepByStep(data, 12));
  });

  it('a run resumed from a checkpoint taken while init batches were held reads each batch once', async () => {
    const data = batches(40);
    const store = new MemoryRunStore();
    const controller = new AbortController();
    const first = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 12 },
      source: listSource(data),
      store,
      onStep: () => controller.abort(),
    });
    // Aborted after step 1 (2 steps issued at most): init batches 2 and 3 are still held.
    const stopped = await first.run({ signal: controller.signal });
    expect(stopped.steps).toBeLessThan(3);
    const saved = await readSavedRun(store);
    expect(saved?.position).toBe(stopped.steps);
    const handedOut: number[] = [];
    const resumed = await TrainingRun.resume(createCpuBackend(), saved!, {
      source: listSource(data, handedOut),
      store,
    });
    await resumed.run();
    // The counted source replays the batches before the position; the run trains from there.
    expect(handedOut).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expectSameWeights(await resumed.trainer.exportWeights(), await stepByStep(data, 12));
  });

  it('Trainer.train with maxSteps below the init prefix keeps the batches it read for the next call', async () => {
    const data = batches(8);
    const t = await Trainer.create(createCpuBackend(), { ...config, steps: 8 });
    async function* stream() {
      yield* data;
    }
    const it = stream();
    expect((await t.train(it, { maxSteps: 1 })).steps).toBe(1);
    expect((await t.train(it, { maxSteps: 1 })).steps).toBe(2);
    expect((await t.train(it)).stopped).toBe('completed');
    expectSameWeights(await t.exportWeights(), await stepByStep(data, 8));
  });
});

describe('TrainingRun: resume is refused on a mismatch, naming the key', () => {
  async function savedRun() {
    const store = new MemoryRunStore();
    const run = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 4 },
      source: listSource(batches(8)),
      store,
      metadata: { data: 'acts/', model: 'gpt2' },
    });
    await run.run();
    return { store, saved: (await readSavedRun<{ data: string; model: string }>(store))! };
  }

  it('a config value or metadata that differs from the saved run', async () => {
    const { store, saved } = await savedRun();
    const source = listSource(batches(8));
    const k = await TrainingRun.resume(createCpuBackend(), saved, {
      source,
      config: { k: 8 },
    }).catch((e: unknown) => e);
    expect(k).toBeInstanceOf(ResumeMismatchError);
    expect(k).toBeInstanceOf(ConfigError);
    expect((k as ConfigError).key).toBe('k');
    expect((k as Error).message).toMatch(/'k': 8 differs from the saved run's 4/);
    const data = await TrainingRun.resume(createCpuBackend(), saved, {
      source,
      metadata: { data: 'other/' },
    }).catch((e: unknown) => e);
    expect((data as ConfigError).key).toBe('data');
    // Equal values and the run's length are accepted.
    const ok = await TrainingRun.resume(createCpuBackend(), saved, {
      source,
      store,
      config: { k: 4, seed: 7, steps: 6 },
      metadata: { model: 'gpt2' },
    });
    expect((await ok.run()).steps).toBe(6);
    // A source of another width is refused before anything is allocated.
    const wide = countedSource(() => [], D_IN + 1);
    await expect(TrainingRun.resume(createCpuBackend(), saved, { source: wide })).rejects.toThrow(
      /'dIn'.*width 17/,
    );
  });

  it('a new run over a store that holds one is refused unless asked to overwrite', async () => {
    const { store } = await savedRun();
    const again = { config, source: listSource(batches(8)), store };
    await expect(TrainingRun.create(createCpuBackend(), again)).rejects.toThrow(RunExistsError);
    const over = await TrainingRun.create(createCpuBackend(), { ...again, overwrite: true });
    expect(over.startStep).toBe(0);
  });
});

describe('TrainingRun: extending a run', () => {
  const lrsOf = (metrics: StepMetrics[]) => metrics.map((m) => m.lr);

  it('extending a finished run climbs back from its last lr over warmupSteps, never jumping up', async () => {
    const data = batches(60);
    const store = new MemoryRunStore();
    const run = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 20 },
      source: listSource(data),
      store,
    });
    await run.run();
    const lr = run.config.lr;
    const saved = (await readSavedRun(store))!;
    const after: StepMetrics[] = [];
    const longer = await TrainingRun.resume(createCpuBackend(), saved, {
      source: listSource(data),
      store,
      config: { steps: 40 },
      onStep: (m) => void after.push(m),
    });
    await longer.run();
    // 20 steps, decay over the last 4: the last step ran at 1/4 of the lr.
    const f = lrsOf(after).map((v) => v / lr);
    const near = (got: number[], want: number[]) =>
      expect(got.map((v, i) => Math.abs(v - want[i]))).toEqual(
        want.map(() => expect.closeTo(0, 12)),
      );
    near(f.slice(0, 5), [0.4375, 0.625, 0.8125, 1, 1]);
    // The new plan decays over the last 8 of 40 steps, to 1/8 at the last.
    near(f.slice(-8), [1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8]);
    expect(after[0].step).toBe(21);
    expect(after).toHaveLength(20);
  });

  it('extending before the decay began is the run planned with the new length from the start', async () => {
    const data = batches(60);
    const straight = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 40 },
      source: listSource(data),
    });
    await straight.run();
    const mid = new MemoryRunStore();
    const stop = new AbortController();
    // Stopped at the checkpoint of step 10, before the 20-step plan's decay (steps 17–20).
    const partial = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 20 },
      source: listSource(data),
      store: mid,
      checkpointEvery: 10,
      onCheckpoint: (c) => {
        if (c.step === 10) stop.abort();
      },
    });
    await partial.run({ signal: stop.signal });
    const saved = (await readSavedRun(mid))!;
    expect(saved.step).toBe(10);
    const extended = await TrainingRun.resume(createCpuBackend(), saved, {
      source: listSource(data),
      config: { steps: 40 },
    });
    await extended.run();
    expectSameWeights(
      await extended.trainer.exportWeights(),
      await straight.trainer.exportWeights(),
    );
  });

  it('shortening a run below the steps it took is refused, naming steps', async () => {
    const store = new MemoryRunStore();
    const run = await TrainingRun.create(createCpuBackend(), {
      config: { ...config, steps: 6 },
      source: listSource(batches(8)),
      store,
    });
    await run.run();
    const saved = (await readSavedRun(store))!;
    await expect(
      TrainingRun.resume(createCpuBackend(), saved, {
        source: listSource(batches(8)),
        config: { steps: 5 },
      }),
    ).rejects.toThrow(/'steps'.*already taken 6 steps/);
  });
});
