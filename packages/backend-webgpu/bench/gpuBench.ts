// The one-command GPU benchmark (`bench:gpu`): the adapter, per-kernel times of a Top-K
// training step against a roofline, with no dead latents and with many, step/floor and host
// milliseconds per step. Written so that a first run on a real GPU gets every figure in a
// few minutes; bench/gpu.ts is the command line, test/benchGpu.test.ts runs it small.
import { markFinite, Rng, Trainer } from '@saekit/core';
import { createWebGpuBackend, type WebGpuBackend } from '../src/index.js';

export interface GpuBenchOptions {
  readonly d: number;
  readonly m: number;
  readonly k: number;
  readonly B: number;
  /** Roofline: peak float32 TFLOP/s and memory GB/s (both optional). */
  readonly peakTflops?: number;
  readonly peakGbps?: number;
  /** Timed steps per scenario (after 3 warm-up steps). */
  readonly steps?: number;
  /** Kernel set (default 'auto': by the adapter); 'gpu' on llvmpipe counts the GPU set's work. */
  readonly kernels?: 'auto' | 'gpu' | 'software';
  /**
   * Let kernels use subgroup operations where the adapter has them (default true); false
   * runs the GPU set's workgroup-memory matmul, to compare with the subgroup one.
   */
  readonly subgroups?: boolean;
  readonly log?: (line: string) => void;
}

/** Ideal work of one kernel family per step: FLOPs and bytes moved at least once. */
interface Work {
  readonly flops: number;
  readonly bytes: number;
}

export interface KernelRow {
  readonly kernel: string;
  readonly ms: number;
  readonly gflops: number | null;
  readonly gbps: number | null;
  /** max(FLOPs / peak, bytes / bandwidth) in ms, when a peak was given and a model exists. */
  readonly rooflineMs: number | null;
}

export interface ScenarioResult {
  readonly name: string;
  readonly deadFraction: number;
  readonly stepMs: number;
  readonly tokensPerSecond: number;
  readonly hostMsPerStep: number;
  readonly dispatchesPerStep: number;
  readonly bindGroupsCreatedPerStep: number;
  /** Pipelines compiled per step after warm-up (asynchronously; 0 once every kernel was seen). */
  readonly pipelinesCreatedPerStep: number;
  readonly submitsPerStep: number;
  readonly kernelSource: string;
  readonly kernels: readonly KernelRow[];
  readonly rooflineStepMs: number | null;
}

export interface GpuBenchResult {
  readonly adapter: {
    readonly description: string;
    readonly vendor: string;
    readonly architecture: string;
    readonly kernelSet: 'gpu' | 'software';
    readonly features: readonly string[];
    readonly limits: Readonly<Record<string, number>>;
    readonly subgroups: { readonly min: number; readonly max: number } | null;
  };
  readonly shape: {
    readonly d: number;
    readonly m: number;
    readonly k: number;
    readonly B: number;
  };
  readonly peak: { readonly tflops: number | null; readonly gbps: number | null };
  /** Per product: best time, GFLOP/s and the implementation that ran (`kernel:path` keys). */
  readonly matmul: Readonly<Record<string, { ms: number; gflops: number; paths: string[] }>>;
  readonly floorMs: number;
  readonly scenarios: readonly ScenarioResult[];
}

const WARMUP = 3;

const LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Kernel family of a timestamp label: `topk:radix#2` → `topk`, `scatterOuterAdd.list` → `scatterOuterAdd`. */
function family(label: string): string {
  return label.split(/[:#.]/)[0];
}

/**
 * The work model, per family, of one step of core's graph (train/graph.ts) at this shape:
 * each tensor a kernel must touch, read or written once. `aux` = AuxK ran (masked top-k
 * reads all of P again; k_aux slots in the sparse kernels).
 */
function workModel(s: GpuBenchOptions, kAux: number, aux: boolean): Record<string, Work> {
  const { d, m, k, B } = s;
  const f = 4;
  const P = 2 * m * d + m + d; // parameters
  const slots = k + (aux ? kAux : 0);
  return {
    matmul: { flops: 2 * B * d * m + 2 * m * d, bytes: f * (B * d + m * d + B * m + m * d) },
    topk: { flops: 0, bytes: f * B * m * (aux ? 2 : 1) },
    gatherSum: { flops: 2 * B * slots * d, bytes: f * (B * slots * d + B * d * (aux ? 2 : 1)) },
    gatherDot: { flops: 2 * B * slots * d, bytes: f * B * slots * d },
    scatterOuterAdd: { flops: 4 * B * slots * d, bytes: f * (2 * B * slots * d + 2 * m * d) },
    scatterAdd: { flops: 0, bytes: f * 2 * B * slots },
    columnSums: { flops: B * d, bytes: f * B * d },
    adam: { flops: 12 * P, bytes: f * 7 * P },
    normalizeRows: { flops: 3 * m * d, bytes: f * 2 * m * d },
    removeParallel: { flops: 4 * m * d, bytes: f * 3 * m * d },
    fill: { flops: 0, bytes: f * 2 * m * d },
  };
}

function gaussian(n: number, rng: Rng): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

async function timeMatmuls(be: WebGpuBackend, s: GpuBenchOptions, reps: number) {
  const rng = new Rng(1);
  const x = be.create([s.B, s.d], 'float32', gaussian(s.B * s.d, rng));
  const w = be.create([s.m, s.d], 'float32', gaussian(s.m * s.d, rng));
  const bias = be.create([s.m]);
  const pre = be.create([s.B, s.m], 'float32', gaussian(s.B * s.m, rng));
  const g = be.create([s.d, s.m]);
  const v = be.create([s.m], 'float32', gaussian(s.m, rng));
  const out = be.create([s.d]);
  const variants: Record<string, { run: () => void; flops: number }> = {
    'NT x·W_encᵀ + b (encoder forward, the floor)': {
      run: () => be.matmul(pre, x, w, { transB: true, bias }),
      flops: 2 * s.B * s.d * s.m,
    },
    'TN xᵀ·P (a dense weight gradient)': {
      run: () => be.matmul(g, x, pre, { transA: true }),
      flops: 2 * s.B * s.d * s.m,
    },
    'M=1 v·W_enc (the b_dec gradient)': {
      run: () => be.matmul(out, v, w),
      flops: 2 * s.m * s.d,
    },
  };
  const res: Record<string, { ms: number; gflops: number; paths: string[] }> = {};
  for (const [name, { run, flops }] of Object.entries(variants)) {
    const before = be.kernelPaths();
    run();
    await be.sync();
    const after = be.kernelPaths();
    const paths = [...after.keys()].filter((key) => after.get(key) !== before.get(key));
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) run();
      await be.sync();
      best = Math.min(best, (performance.now() - t0) / reps);
    }
    res[name] = { ms: best, gflops: flops / best / 1e6, paths };
  }
  for (const t of [x, w, bias, pre, g, v, out]) be.dispose(t);
  return res;
}

/**
 * Host work of one step: the synchronous part of `trainer.step` (core's shape checks, the batch
 * upload, encoding every dispatch), up to the flush that submits it.
 */
function hostTimer(be: WebGpuBackend): { flushedAt: () => number; restore: () => void } {
  let at = 0;
  const flush = be.flush.bind(be);
  be.flush = () => {
    at = performance.now();
    flush();
  };
  return { flushedAt: () => at, restore: () => (be.flush = flush) };
}

async function scenario(
  s: GpuBenchOptions,
  name: string,
  deadTokens: number,
  distinctRows: number,
  steps: number,
  kernelSet: 'gpu' | 'software',
): Promise<ScenarioResult> {
  const rng = new Rng(7);
  const rows = gaussian(distinctRows * s.d, rng);
  const batch = new Float32Array(s.B * s.d);
  for (let r = 0; r < s.B; r++)
    batch.set(rows.subarray((r % distinctRows) * s.d, ((r % distinctRows) + 1) * s.d), r * s.d);
  const config = { dIn: s.d, dSae: s.m, k: s.k, batchSize: s.B, steps: 1000, seed: 0, deadTokens };
  // Wall time and host time on a plain backend (one pass for all dispatches).
  const be = await createWebGpuBackend({ kernels: kernelSet, subgroups: s.subgroups !== false });
  const trainer = await Trainer.create(be, config, { initData: batch });
  // Checked as init data; marked as io's dataset marks its batches, so the host time is a
  // real run's (no per-step finite scan).
  markFinite(batch);
  // Three warm-up steps: pipelines, scratch sizes, and both metrics buffers (they alternate).
  let last = await trainer.step(batch);
  for (let i = 0; i < WARMUP - 1; i++) last = await trainer.step(batch);
  const timer = hostTimer(be);
  const before = be.stats;
  let hostMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const s0 = performance.now();
    const pending = trainer.step(batch);
    hostMs += timer.flushedAt() - s0;
    last = await pending;
  }
  const stepMs = (performance.now() - t0) / steps;
  const after = be.stats;
  timer.restore();
  const kAux = trainer.config.kAux;
  trainer.dispose();
  await be.destroy();

  // Per-kernel GPU time on a profiling backend (one pass per dispatch, so a little slower).
  const prof = await createWebGpuBackend({
    kernels: kernelSet,
    subgroups: s.subgroups !== false,
    profile: true,
  });
  let kernelMs: Record<string, number> = {};
  let kernelSource = 'none: the adapter has no timestamp-query';
  if (prof.profiling) {
    const t2 = await Trainer.create(prof, config, { initData: batch });
    for (let i = 0; i < WARMUP; i++) await t2.step(batch);
    await prof.kernelTimes();
    for (let i = 0; i < steps; i++) await t2.step(batch);
    kernelMs = await prof.kernelTimes();
    t2.dispose();
    kernelSource = `timestamp queries, one compute pass per dispatch, mean of ${steps} steps`;
  }
  await prof.destroy();

  const aux = last.deadFraction > 0;
  const model = workModel(s, kAux, aux);
  const byFamily = new Map<string, number>();
  for (const [label, ms] of Object.entries(kernelMs)) {
    byFamily.set(family(label), (byFamily.get(family(label)) ?? 0) + ms / steps);
  }
  let roofline: number | null = s.peakTflops || s.peakGbps ? 0 : null;
  const kernels: KernelRow[] = [...byFamily]
    .sort((a, b) => b[1] - a[1])
    .map(([kernel, ms]) => {
      const w = model[kernel];
      let rooflineMs: number | null = null;
      if (w && roofline !== null) {
        rooflineMs = Math.max(
          s.peakTflops ? w.flops / (s.peakTflops * 1e9) : 0,
          s.peakGbps ? w.bytes / (s.peakGbps * 1e6) : 0,
        );
        roofline += rooflineMs;
      }
      return {
        kernel,
        ms,
        gflops: w && w.flops > 0 ? w.flops / ms / 1e6 : null,
        gbps: w && w.bytes > 0 ? w.bytes / ms / 1e6 : null,
        rooflineMs,
      };
    });
  return {
    name,
    deadFraction: last.deadFraction,
    stepMs,
    tokensPerSecond: (s.B * 1000) / stepMs,
    hostMsPerStep: hostMs / steps,
    dispatchesPerStep: (after.dispatches - before.dispatches) / steps,
    bindGroupsCreatedPerStep: (after.bindGroupsCreated - before.bindGroupsCreated) / steps,
    pipelinesCreatedPerStep: (after.pipelinesCreated - before.pipelinesCreated) / steps,
    submitsPerStep: (after.submits - before.submits) / steps,
    kernelSource,
    kernels,
    rooflineStepMs: roofline,
  };
}

function fmt(v: number | null, digits = 1): string {
  return v === null ? '—' : v.toFixed(digits);
}

export async function runGpuBench(o: GpuBenchOptions): Promise<GpuBenchResult> {
  const log = o.log ?? console.log;
  const steps = o.steps ?? 5;
  const be = await createWebGpuBackend({
    kernels: o.kernels ?? 'auto',
    subgroups: o.subgroups !== false,
  });
  const kernelSet = be.softwareKernels ? 'software' : 'gpu';
  const limits: Record<string, number> = {};
  for (const l of LIMITS) limits[l] = be.device.limits[l];
  const adapter = {
    description: be.adapter.description,
    vendor: be.adapter.vendor,
    architecture: be.adapter.architecture,
    kernelSet,
    features: [...be.device.features].map(String).sort(),
    limits,
    subgroups:
      be.adapter.subgroupMinSize && be.device.features.has('subgroups')
        ? { min: be.adapter.subgroupMinSize, max: be.adapter.subgroupMaxSize ?? 0 }
        : null,
  } as const;
  log(
    `adapter: ${adapter.description} (${adapter.vendor} ${adapter.architecture}), kernel set '${kernelSet}'`,
  );
  log(`  features: ${adapter.features.join(' ')}`);
  log(
    `  limits: ${Object.entries(limits)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  log(
    `  subgroups: ${adapter.subgroups ? `${adapter.subgroups.min}–${adapter.subgroups.max}` : 'no'}`,
  );
  log(
    `shape: d=${o.d} m=${o.m} k=${o.k} B=${o.B}; peak ${o.peakTflops ?? '?'} TFLOP/s, ${o.peakGbps ?? '?'} GB/s`,
  );
  const matmul = await timeMatmuls(be, o, kernelSet === 'software' ? 1 : 10);
  await be.destroy();
  for (const [name, r] of Object.entries(matmul)) {
    log(
      `  matmul ${name}: ${r.ms.toFixed(2)} ms, ${r.gflops.toFixed(0)} GFLOP/s (${r.paths.join(' + ')})`,
    );
  }
  const floorMs = Object.values(matmul)[0].ms;
  const scenarios: ScenarioResult[] = [];
  // A huge deadTokens keeps every latent alive. For many dead ones the batch repeats 16 rows,
  // so only the few latents those rows pick fire, and deadTokens = 1 declares every latent
  // that did not fire in the previous step dead: AuxK then selects k_aux of thousands.
  for (const [name, deadTokens, distinct] of [
    ['no dead latents', 1e12, o.B],
    ['many dead latents (16 distinct rows, deadTokens = 1)', 1, Math.min(16, o.B)],
  ] as const) {
    const r = await scenario(o, name, deadTokens, distinct, steps, kernelSet);
    scenarios.push(r);
    log(`scenario: ${name} (dead fraction ${(r.deadFraction * 100).toFixed(1)}%)`);
    log(
      `  step ${r.stepMs.toFixed(2)} ms (${r.tokensPerSecond.toFixed(0)} tokens/s), step/floor ${(r.stepMs / floorMs).toFixed(2)}` +
        `${r.rooflineStepMs === null ? '' : `, roofline ${r.rooflineStepMs.toFixed(2)} ms (step/roofline ${(r.stepMs / r.rooflineStepMs).toFixed(2)})`}`,
    );
    log(
      `  host ${r.hostMsPerStep.toFixed(2)} ms/step; per step: ${r.dispatchesPerStep} dispatches, ` +
        `${r.bindGroupsCreatedPerStep} bind groups and ${r.pipelinesCreatedPerStep} pipelines ` +
        `created, ${r.submitsPerStep} submits`,
    );
    log(`  kernels (${r.kernelSource}):`);
    for (const row of r.kernels) {
      const eff =
        row.rooflineMs === null
          ? ''
          : `, ${((row.rooflineMs / row.ms) * 100).toFixed(0)}% of roofline`;
      log(
        `    ${row.kernel.padEnd(16)} ${row.ms.toFixed(3).padStart(9)} ms  ${fmt(row.gflops, 0).padStart(7)} GFLOP/s  ${fmt(row.gbps, 0).padStart(6)} GB/s${eff}`,
      );
    }
  }
  return {
    adapter,
    shape: { d: o.d, m: o.m, k: o.k, B: o.B },
    peak: { tflops: o.peakTflops ?? null, gbps: o.peakGbps ?? null },
    matmul,
    floorMs,
    scenarios,
  };
}
