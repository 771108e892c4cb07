import {
  ConfigError,
  createCpuBackend,
  DataError,
  isMarkedFinite,
  markFinite,
  resolveTrainConfig,
  type SaeWeights,
  type StepMetrics,
  SyntheticActivations,
  type TrainConfigInput,
  Trainer,
  type TrainingState,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

// initTokens = 2 batches: the model is initialised from the first two batches of any run.
const base: TrainConfigInput = {
  dIn: 16,
  dSae: 64,
  k: 4,
  batchSize: 64,
  steps: 40,
  seed: 7,
  initTokens: 128,
};

function batches(n: number, seed = 3, rows = 64): Float32Array[] {
  const data = new SyntheticActivations({ dIn: 16, nFeatures: 48, batchSize: rows, seed });
  return Array.from({ length: n }, () => data.batch());
}

async function* iterate(list: Float32Array[]): AsyncGenerator<Float32Array> {
  for (const b of list) yield b;
}

function expectSameWeights(a: SaeWeights, b: SaeWeights): void {
  for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec'] as const) {
    expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer)), key).toBe(true);
  }
}

/** io writes states to disk as JSON + arrays; a structured clone of both is the same trip. */
function roundTrip(state: TrainingState): TrainingState {
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [k, v] of Object.entries(state.arrays)) arrays[k] = v.slice();
  return { ...state, meta: JSON.parse(JSON.stringify(state.meta)), arrays };
}

describe('Trainer: determinism and resume', () => {
  it('same seed and data → bit-identical weights (and different seed → different)', async () => {
    const data = batches(40);
    const run = async (seed: number) => {
      const t = await Trainer.create(createCpuBackend(), { ...base, seed });
      await t.train(iterate(data));
      const w = await t.exportWeights();
      t.dispose();
      return w;
    };
    const a = await run(7);
    const b = await run(7);
    expectSameWeights(a, b);
    const c = await run(8);
    expect(Buffer.from(a.wEnc.buffer).equals(Buffer.from(c.wEnc.buffer))).toBe(false);
  });

  it('resuming from a mid-run state gives exactly the uninterrupted run', async () => {
    const data = batches(40);
    const config = {
      ...base,
      dSae: 256,
      k: 2,
      architecture: 'topk' as const,
      deadTokens: 256,
      clipGradNorm: 1,
    };
    const full = await Trainer.create(createCpuBackend(), config);
    const fullMetrics: StepMetrics[] = [];
    await full.train(iterate(data), { onStep: (m) => void fullMetrics.push(m) });
    // Dead latents and AuxK must be in play for the resume to prove the counters travel.
    expect(fullMetrics.some((m) => m.deadFraction > 0)).toBe(true);

    const first = await Trainer.create(createCpuBackend(), config);
    await first.train(iterate(data.slice(0, 17)));
    const state = roundTrip(await first.saveState({ datasetPosition: 17 }));
    first.dispose();
    expect(state.meta['extra']).toEqual({ datasetPosition: 17 });

    const resumed = await Trainer.create(createCpuBackend(), null, { state });
    expect(resumed.stepsDone).toBe(17);
    const resumedMetrics: StepMetrics[] = [];
    await resumed.train(iterate(data.slice(17)), { onStep: (m) => void resumedMetrics.push(m) });
    expectSameWeights(await full.exportWeights(), await resumed.exportWeights());
    const strip = ({ tokensPerSecond: _, ...m }: StepMetrics) => m;
    expect(resumedMetrics.map(strip)).toEqual(fullMetrics.slice(17).map(strip));
    const [sf, sr] = [await full.saveState(), await resumed.saveState()];
    for (const key of Object.keys(sf.arrays)) {
      expect(Array.from(sr.arrays[key]), key).toEqual(Array.from(sf.arrays[key]));
    }
    expect(Array.from(await resumed.firingCounts())).toEqual(Array.from(await full.firingCounts()));
  });

  it('BatchTopK resumes exactly too, threshold included', async () => {
    const data = batches(24);
    const config = { ...base, architecture: 'batchtopk' as const, steps: 24 };
    const full = await Trainer.create(createCpuBackend(), config);
    await full.train(iterate(data));
    const first = await Trainer.create(createCpuBackend(), config);
    await first.train(iterate(data.slice(0, 9)));
    const resumed = await Trainer.create(createCpuBackend(), config, {
      state: roundTrip(await first.saveState()),
    });
    await resumed.train(iterate(data.slice(9)));
    const [a, b] = [await full.exportWeights(), await resumed.exportWeights()];
    expectSameWeights(a, b);
    expect(Array.from(b.threshold!)).toEqual(Array.from(a.threshold!));
  });

  it('Matryoshka resumes exactly too, and exports as the BatchTopK it runs as', async () => {
    const data = batches(24);
    const config = {
      ...base,
      architecture: 'matryoshka' as const,
      steps: 24,
      matryoshkaWidths: [8, 24],
    };
    const full = await Trainer.create(createCpuBackend(), config);
    const seen: StepMetrics[] = [];
    await full.train(iterate(data), { onStep: (m) => void seen.push(m) });
    const first = await Trainer.create(createCpuBackend(), config);
    await first.train(iterate(data.slice(0, 9)));
    const resumed = await Trainer.create(createCpuBackend(), null, {
      state: roundTrip(await first.saveState()),
    });
    expect(resumed.config.matryoshkaWidths).toEqual([8, 24, 64]);
    await resumed.train(iterate(data.slice(9)));
    const [a, b] = [await full.exportWeights(), await resumed.exportWeights()];
    expectSameWeights(a, b);
    expect(a.architecture).toBe('batchtopk');
    expect(a.matryoshkaWidths).toEqual([8, 24, 64]);
    expect(Array.from(b.threshold!)).toEqual(Array.from(a.threshold!));
    // The loss sums three prefix FVUs: the full width's and two more (positive) ones.
    for (const m of seen) expect(m.prefixFvuSum!).toBeGreaterThan(m.fvu);
  });

  it('a config that disagrees with the state is refused, naming the key', async () => {
    const t = await Trainer.create(createCpuBackend(), base);
    await t.step(batches(1)[0]);
    const state = await t.saveState();
    await expect(Trainer.create(createCpuBackend(), { ...base, lr: 1 }, { state })).rejects.toThrow(
      /'lr'/,
    );
  });
});

describe('Trainer: defaults and schedule', () => {
  it('fills the design defaults', () => {
    const c = resolveTrainConfig({ dIn: 768, dSae: 16384, k: 32, totalTokens: 1e9 });
    expect(c.lr).toBeCloseTo(2e-4, 12);
    expect(c.kAux).toBe(512);
    expect(c.auxkAlpha).toBe(1 / 32);
    expect(c.batchSize).toBe(4096);
    expect(c.deadTokens).toBe(10_000_000);
    expect(c.warmupSteps).toBe(1000);
    expect(c.eps).toBe(6.25e-10);
    expect(c.bDecInit).toBe('geometric_median');
    expect(c.normalizeActivations).toBe(true);
    const short = resolveTrainConfig({ dIn: 768, dSae: 65536, k: 32, totalTokens: 1e8 });
    expect(short.deadTokens).toBe(5_000_000);
    expect(short.notes.join(' ')).toMatch(/deadTokens = 5000000/);
    expect(short.lr).toBeCloseTo(1e-4, 12);
  });

  it('warms up linearly and decays to 0 over the last 20%', async () => {
    const t = await Trainer.create(createCpuBackend(), { ...base, steps: 20, warmupSteps: 4 });
    const lrs: number[] = [];
    await t.train(iterate(batches(20)), { onStep: (m) => void lrs.push(m.lr) });
    const lr = t.config.lr;
    expect(lrs.slice(0, 5).map((v) => v / lr)).toEqual([0.25, 0.5, 0.75, 1, 1]);
    // Decay over the last 4 steps: the last step runs at 1/4, the one after would be 0.
    expect(lrs.slice(15).map((v) => v / lr)).toEqual([1, 1, 0.75, 0.5, 0.25]);
  });
});

describe('Trainer: bad input gets typed errors naming the problem', () => {
  it('k > dSae, kAux > dSae, bad numbers → ConfigError naming the key', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    const e1 = err(() => resolveTrainConfig({ dIn: 16, dSae: 8, k: 9 }));
    expect(e1).toBeInstanceOf(ConfigError);
    expect((e1 as ConfigError).key).toBe('k');
    expect((e1 as Error).message).toMatch(/k = 9 exceeds dSae = 8/);
    const e2 = err(() => resolveTrainConfig({ dIn: 16, dSae: 8, k: 2, lr: Number.NaN }));
    expect((e2 as ConfigError).key).toBe('lr');
    const e3 = err(() => resolveTrainConfig({ dIn: 16.5, dSae: 8, k: 2 }));
    expect((e3 as ConfigError).key).toBe('dIn');
    const e4 = err(() =>
      resolveTrainConfig({ dIn: 16, dSae: 8, k: 2, steps: 10, totalTokens: 10 }),
    );
    expect((e4 as ConfigError).key).toBe('steps');
  });

  it('data whose width does not match dIn → DataError naming dIn', async () => {
    const t = await Trainer.create(createCpuBackend(), base);
    await expect(t.step(new Float32Array(63 * 17))).rejects.toThrow(DataError);
    await expect(t.step(new Float32Array(63 * 17))).rejects.toThrow(/dIn = 16/);
    // A width that happens to divide evenly is caught when the row count is given.
    await expect(t.step(new Float32Array(64 * 32), 64)).rejects.toThrow(/64 rows × dIn 16/);
  });

  it('non-finite input → DataError naming the batch, row and column', async () => {
    const t = await Trainer.create(createCpuBackend(), base);
    const [good, bad] = batches(2);
    await t.step(good);
    bad[5 * 16 + 3] = Number.NaN;
    const e = await t.step(bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).row).toBe(5);
    expect((e as Error).message).toMatch(/batch 2: row 5: non-finite value NaN at column 3/);
    expect(t.stepsDone).toBe(1);
    const init = new Float32Array(64 * 16);
    init[100] = Number.POSITIVE_INFINITY;
    await expect(Trainer.create(createCpuBackend(), base, { initData: init })).rejects.toThrow(
      /initData: row 6: non-finite value Infinity/,
    );
  });
});

describe('Trainer: batches checked by their source', () => {
  it('a batch its source marked finite is not scanned again; an unmarked one still is', async () => {
    const t = await Trainer.create(createCpuBackend(), base);
    const [good, bad] = batches(2);
    await t.step(good);
    bad[5 * 16 + 3] = Number.NaN;
    const unmarked = bad.slice();
    expect(isMarkedFinite(unmarked)).toBe(false);
    // The mark is the source's promise and is trusted (broken here on purpose): no host scan,
    // so the NaN reaches the step instead of a DataError.
    const m = await t.step(markFinite(bad));
    expect(Number.isNaN(m.mse)).toBe(true);
    await expect(t.step(unmarked)).rejects.toThrow(/batch 3: row 5: non-finite value NaN/);
  });

  it('batches held from initialisation are checked once, by initialize', async () => {
    const t = await Trainer.create(createCpuBackend(), { ...base, steps: 3 });
    const data = batches(3);
    data[1][2 * 16] = Number.POSITIVE_INFINITY;
    // The second batch is part of the init data (initTokens = 2 batches): named there.
    await expect(t.train(iterate(data))).rejects.toThrow(
      /initData: row 66: non-finite value Infinity/,
    );
    expect(t.stepsDone).toBe(0);
  });
});

describe('Trainer.train: stopping', () => {
  it('maxSteps and abort stop between steps without losing a batch of a shared iterator', async () => {
    const data = batches(12);
    const whole = await Trainer.create(createCpuBackend(), { ...base, steps: 12 });
    await whole.train(iterate(data));

    const chunked = await Trainer.create(createCpuBackend(), { ...base, steps: 12 });
    const source = iterate(data); // one generator, continued across calls
    const a = await chunked.train(source, { maxSteps: 5 });
    expect(a).toMatchObject({ stopped: 'max-steps', steps: 5 });
    const controller = new AbortController();
    const b = await chunked.train(source, {
      signal: controller.signal,
      onStep: (m) => {
        if (m.step === 8) controller.abort();
      },
    });
    // The abort is seen after step 8's metrics; with one step in flight, step 9 was issued.
    expect(b.stopped).toBe('aborted');
    expect(b.steps).toBeLessThanOrEqual(9);
    const c = await chunked.train(source);
    expect(c).toMatchObject({ stopped: 'completed', steps: 12 });
    expectSameWeights(await whole.exportWeights(), await chunked.exportWeights());
    const d = await chunked.train(iterate([]));
    expect(d.stopped).toBe('completed');
    const short = await Trainer.create(createCpuBackend(), { ...base, steps: 100 });
    expect((await short.train(iterate(data.slice(0, 3)))).stopped).toBe('source-exhausted');
  });
});
