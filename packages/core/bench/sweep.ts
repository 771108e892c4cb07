// Wall time of a TrainingSweep of 4 SAEs against the same 4 trained one after another, on one
// synthetic stream (its generation stands in for reading and decoding shards), alternated over
// a few repetitions in one process so machine load hits both alike.
import {
  createCpuBackend,
  MemoryRunStore,
  syntheticSource,
  type TrainConfigInput,
  TrainingRun,
  TrainingSweep,
} from '../src/index.js';

const DATA = { dIn: 64, nFeatures: 2048, activePerToken: 8, batchSize: 512, seed: 1 } as const;
const BASE = { dIn: 64, batchSize: 512, steps: 40, seed: 0, lr: 0.005 } as const;
const MEMBERS: readonly TrainConfigInput[] = [
  { ...BASE, dSae: 256, k: 8 },
  { ...BASE, dSae: 256, k: 16 },
  { ...BASE, dSae: 512, k: 8 },
  { ...BASE, dSae: 256, k: 8, architecture: 'batchtopk' },
];

export interface SweepCost {
  readonly members: number;
  readonly steps: number;
  readonly separateMs: number[];
  readonly sweepMs: number[];
  /** Median over repetitions of sweep / separate. */
  readonly medianRatio: number;
}

async function separate(): Promise<number> {
  const t0 = performance.now();
  for (const config of MEMBERS) {
    const run = await TrainingRun.create(createCpuBackend(), {
      config,
      source: syntheticSource(DATA),
      store: new MemoryRunStore(),
    });
    await run.run();
    run.dispose();
  }
  return performance.now() - t0;
}

async function together(): Promise<number> {
  const t0 = performance.now();
  const sweep = await TrainingSweep.create(
    createCpuBackend(),
    MEMBERS.map((config) => ({ config, store: new MemoryRunStore() })),
    { source: syntheticSource(DATA) },
  );
  await sweep.run();
  sweep.dispose();
  return performance.now() - t0;
}

export async function sweepCost(repetitions = 3): Promise<SweepCost> {
  const separateMs: number[] = [];
  const sweepMs: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    // Alternate the order so a load change does not always favour one side.
    if (r % 2 === 0) {
      separateMs.push(await separate());
      sweepMs.push(await together());
    } else {
      sweepMs.push(await together());
      separateMs.push(await separate());
    }
  }
  const ratios = sweepMs.map((s, i) => s / separateMs[i]).sort((a, b) => a - b);
  return {
    members: MEMBERS.length,
    steps: BASE.steps,
    separateMs,
    sweepMs,
    medianRatio: ratios[Math.floor(ratios.length / 2)],
  };
}
