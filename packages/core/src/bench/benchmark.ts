import type { Backend, KernelName } from '../backend/backend.js';
import { markFinite } from '../train/checked-batches.js';
import type { TrainableArchitecture } from '../train/config.js';
import { Trainer } from '../train/trainer.js';
import { Rng } from '../util/rng.js';
import { timeKernels } from './kernel-timer.js';

export interface BenchShape {
  readonly dIn: number;
  readonly dSae: number;
  readonly k: number;
  readonly batchSize: number;
  readonly architecture?: TrainableArchitecture;
}

/** Named shapes: `target` is the design's goal (step ≤ 1.3× floor there). */
export const BENCH_SHAPES = {
  small: { dIn: 64, dSae: 1024, k: 16, batchSize: 512 },
  medium: { dIn: 256, dSae: 4096, k: 32, batchSize: 1024 },
  target: { dIn: 768, dSae: 16384, k: 32, batchSize: 4096 },
} as const satisfies Record<string, BenchShape>;

export interface BenchOptions {
  /** Untimed steps first (pipelines compile, pools fill); default 2. */
  readonly warmupSteps?: number;
  /** Timed steps; default 5. */
  readonly steps?: number;
  /** Timed encoder products for the floor, per round; default = steps. */
  readonly floorRepeats?: number;
  /**
   * Each measurement is repeated this many times and the fastest round kept (the usual
   * defence against other work on the machine); default 3.
   */
  readonly rounds?: number;
  /** Also time every kernel call (meaningful for synchronous backends); default false. */
  readonly kernelTimes?: boolean;
  readonly seed?: number;
  /**
   * The trainer's `deadTokens`: a latent that has not fired for this many tokens is dead and
   * AuxK runs over it. Default: the trainer's rule, which for a benchmark's short run is
   * 1/20 of its tokens, under one batch, so every latent that missed the last batch is dead.
   * A large value keeps every latent alive (no AuxK); any value up to the batch size times
   * the AuxK half of a step over whatever missed the last batch.
   */
  readonly deadTokens?: number;
}

export interface BenchResult {
  readonly backend: string;
  readonly shape: BenchShape;
  /** Training tokens per second over the timed steps (metrics read-back included). */
  readonly tokensPerSecond: number;
  /** Wall time of one training step (mean over a round of steps, fastest round). */
  readonly stepMs: number;
  /** Wall time of this backend's encoder product x·W_encᵀ + b_enc, [B, d]·[d, m] (same rule). */
  readonly floorMs: number;
  /** stepMs / floorMs: how close a step is to its one unavoidable dense product. */
  readonly ratio: number;
  /** Per-kernel ms per step (when `kernelTimes`), summed over the calls of one step. */
  readonly kernelMs?: Partial<Record<KernelName, number>>;
  readonly steps: number;
  readonly rounds: number;
  /** Fraction of latents dead (running AuxK) in the last timed step. */
  readonly deadFraction: number;
  /** Resident set size after the run, MiB (Node only). */
  readonly rssMiB?: number;
}

function gaussian(rng: Rng, n: number): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

/**
 * Times training steps of `shape` on `backend` against the same backend's dense encoder
 * product of that shape (the floor a step cannot beat). Data is random Gaussian; b_dec is
 * initialised to the mean (the geometric median is not what is being timed).
 */
export async function benchmarkTrainingStep(
  backend: Backend,
  shape: BenchShape,
  options: BenchOptions = {},
): Promise<BenchResult> {
  const warmup = options.warmupSteps ?? 2;
  const steps = options.steps ?? 5;
  const repeats = options.floorRepeats ?? steps;
  const rounds = Math.max(1, options.rounds ?? 3);
  const rng = new Rng(options.seed ?? 0);
  const { dIn: d, dSae: m, batchSize: B } = shape;
  const batch = gaussian(rng, B * d);

  // The floor: one dense encoder product, synchronised by reading a 1-element tensor queued
  // after it (queues run in order, so the read waits for the products).
  const x = backend.create([B, d], 'float32', batch);
  const w = backend.create([m, d], 'float32', gaussian(rng, m * d));
  const bias = backend.create([m], 'float32', gaussian(rng, m));
  const pre = backend.create([B, m]);
  const sync = backend.create([1]);
  const floorOnce = async (n: number) => {
    for (let i = 0; i < n; i++) backend.matmul(pre, x, w, { transB: true, bias });
    backend.fill(sync, 0);
    backend.flush();
    await backend.read(sync);
  };
  await floorOnce(1);
  let floorMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const f0 = performance.now();
    await floorOnce(repeats);
    floorMs = Math.min(floorMs, (performance.now() - f0) / repeats);
  }
  for (const t of [x, w, bias, pre, sync]) backend.dispose(t);

  const timer = timeKernels(backend);
  const trainer = await Trainer.create(
    timer.backend,
    {
      ...shape,
      steps: warmup + (rounds + 1) * steps + 1,
      warmupSteps: 1,
      bDecInit: 'mean',
      seed: options.seed ?? 0,
      ...(options.deadTokens === undefined ? {} : { deadTokens: options.deadTokens }),
    },
    { initData: batch },
  );
  // Trainer.create checked the batch (it is the init data); a run reads from a dataset that
  // checked its rows and marks its batches, so the steps timed here skip the scan as there.
  markFinite(batch);
  // The same batch over and over, through `train`, so the timing includes the pipelining a
  // real run gets (the next step is issued before the previous step's metrics are read).
  async function* repeat(): AsyncGenerator<Float32Array> {
    for (;;) yield batch;
  }
  try {
    if (warmup > 0) await trainer.train(repeat(), { maxSteps: warmup });
    let stepMs = Number.POSITIVE_INFINITY;
    let deadFraction = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const { last } = await trainer.train(repeat(), { maxSteps: steps });
      stepMs = Math.min(stepMs, (performance.now() - t0) / steps);
      deadFraction = last?.deadFraction ?? 0;
    }
    let kernelMs: Partial<Record<KernelName, number>> | undefined;
    if (options.kernelTimes) {
      timer.setEnabled(true);
      await trainer.train(repeat(), { maxSteps: steps });
      timer.setEnabled(false);
      kernelMs = {};
      const sorted = [...timer.totals.entries()].sort((a, b) => b[1] - a[1]);
      for (const [name, ms] of sorted) kernelMs[name] = ms / steps;
    }
    const rss =
      typeof process !== 'undefined' && typeof process.memoryUsage === 'function'
        ? process.memoryUsage().rss / 2 ** 20
        : undefined;
    return {
      backend: backend.name,
      shape,
      tokensPerSecond: (B * 1000) / stepMs,
      stepMs,
      floorMs,
      ratio: stepMs / floorMs,
      ...(kernelMs ? { kernelMs } : {}),
      steps,
      rounds,
      deadFraction,
      ...(rss === undefined ? {} : { rssMiB: Math.round(rss) }),
    };
  } finally {
    trainer.dispose();
  }
}
