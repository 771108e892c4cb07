// Benchmarks the WebGPU backend: matmul GFLOP/s, a Top-K training step (tokens/s) against
// this backend's own encoder product of the same shape (the floor), and the time split by
// kernel. Writes bench-results/backend-webgpu.json at the repository root.
//
//   pnpm --filter @saekit/backend-webgpu bench            # scaled shape (and full on a GPU)
//   pnpm --filter @saekit/backend-webgpu bench -- --full  # also d=768, m=16384 on llvmpipe
//   ... bench -- --shape 768,16384,32,2048 --quick        # one shape, floor + one step only
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkTrainingStep, Rng, Trainer } from '@saekit/core';
import { createWebGpuBackend, type WebGpuBackend } from '../src/index.js';

interface Shape {
  readonly name: string;
  readonly d: number;
  readonly m: number;
  readonly k: number;
  readonly B: number;
}

const FULL: Shape = { name: 'design target', d: 768, m: 16384, k: 32, B: 4096 };
const SCALED: Shape = { name: 'scaled (llvmpipe-sized)', d: 256, m: 4096, k: 32, B: 1024 };

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const args = process.argv.slice(2);

/** Wall and process-CPU milliseconds of `fn` (CPU time shows cost on a shared machine). */
async function timed(fn: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function gaussian(n: number, rng: Rng): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

async function benchMatmul(be: WebGpuBackend, s: Shape, reps: number, floorOnly = false) {
  const rng = new Rng(1);
  const x = be.create([s.B, s.d], 'float32', gaussian(s.B * s.d, rng));
  const w = be.create([s.m, s.d], 'float32', gaussian(s.m * s.d, rng));
  const wt = be.create([s.d, s.m], 'float32', gaussian(s.m * s.d, rng));
  const bias = be.create([s.m]);
  const pre = be.create([s.B, s.m]);
  const g = be.create([s.d, s.m]);
  const flops = 2 * s.B * s.d * s.m;
  const variants = {
    'NT x·W_encᵀ + b (encoder forward, the floor)': () =>
      be.matmul(pre, x, w, { transB: true, bias }),
    'NN x·W': () => be.matmul(pre, x, wt),
    'TN xᵀ·pre': () => be.matmul(g, x, pre, { transA: true }),
  };
  const out: Record<string, { ms: number; cpuMs: number; gflops: number }> = {};
  for (const [name, run] of Object.entries(variants).slice(0, floorOnly ? 1 : 3)) {
    run();
    await be.sync(); // compile + warm
    const t = await timed(async () => {
      for (let i = 0; i < reps; i++) run();
      await be.sync();
    });
    const ms = t.wallMs / reps;
    out[name] = { ms, cpuMs: t.cpuMs / reps, gflops: flops / ms / 1e6 };
    console.log(`  matmul ${name}: ${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
  for (const t of [x, w, wt, bias, pre, g]) be.dispose(t);
  return out;
}

/** Step vs floor through core's shared benchmark (the same rule on every backend). */
async function benchStep(be: WebGpuBackend, s: Shape, steps: number, rounds: number) {
  const r = await benchmarkTrainingStep(
    be,
    { dIn: s.d, dSae: s.m, k: s.k, batchSize: s.B },
    { steps, rounds, floorRepeats: Math.min(steps, 2) },
  );
  return {
    stepMs: r.stepMs,
    tokensPerSecond: r.tokensPerSecond,
    floorMs: r.floorMs,
    ratio: r.ratio,
    steps: r.steps,
    rounds: r.rounds,
    rssMiB: r.rssMiB,
  };
}

async function kernelSplit(s: Shape) {
  const be = await createWebGpuBackend({ profile: true });
  if (!be.profiling) {
    await be.destroy();
    return { source: 'none: the adapter has no timestamp-query' };
  }
  const rng = new Rng(3);
  const batch = gaussian(s.B * s.d, rng);
  const trainer = await Trainer.create(
    be,
    { dIn: s.d, dSae: s.m, k: s.k, batchSize: s.B, steps: 1000, seed: 0 },
    { initData: batch },
  );
  await trainer.step(batch);
  await be.kernelTimes(); // drop the warm-up step
  const t = await timed(() => trainer.step(batch).then(() => undefined));
  const ms = await be.kernelTimes();
  trainer.dispose();
  await be.destroy();
  const total = Object.values(ms).reduce((a, b) => a + b, 0);
  return {
    source: 'timestamp queries, one compute pass per dispatch, one step',
    stepWallMs: t.wallMs,
    kernelSumMs: total,
    kernelMs: Object.fromEntries(Object.entries(ms).sort((a, b) => b[1] - a[1])),
  };
}

async function main(): Promise<void> {
  const be = await createWebGpuBackend();
  const software = be.adapter.architecture === 'software';
  const quick = args.includes('--quick');
  const custom = args.indexOf('--shape');
  let shapes = software && !args.includes('--full') ? [SCALED] : [SCALED, FULL];
  if (custom >= 0) {
    const [d, m, k, B] = (args[custom + 1] ?? '').split(',').map(Number);
    if (![d, m, k, B].every((v) => Number.isInteger(v) && v > 0)) {
      throw new Error('--shape wants d,m,k,B (positive integers)');
    }
    shapes = [{ name: 'custom', d, m, k, B }];
  }
  console.log(`adapter: ${be.adapter.description} (${be.adapter.architecture})`);
  const results: unknown[] = [];
  for (const s of shapes) {
    console.log(`shape ${s.name}: d=${s.d} m=${s.m} k=${s.k} B=${s.B}`);
    // Tensors over maxStorageBufferBindingSize are bound as windows; maxBufferSize is the cap.
    const preBytes = s.B * s.m * 4;
    if (preBytes > be.device.limits.maxBufferSize) {
      const error = `the [B, m] pre-activations need ${preBytes / 2 ** 20} MiB, over this adapter's maxBufferSize (${be.device.limits.maxBufferSize / 2 ** 20} MiB)`;
      console.log(`  skipped: ${error}`);
      results.push({ shape: s, error });
      continue;
    }
    const matmul = await benchMatmul(be, s, quick ? 1 : software ? 2 : 20, quick);
    const step = await benchStep(
      be,
      s,
      quick ? 1 : software ? 2 : 10,
      quick ? 1 : software ? 2 : 3,
    );
    const { floorMs, ratio } = step;
    console.log(
      `  step: ${step.stepMs.toFixed(1)} ms, ${step.tokensPerSecond.toFixed(0)} tokens/s, ` +
        `floor ${floorMs.toFixed(1)} ms, step/floor ${ratio.toFixed(2)} (target ≤ 1.3)`,
    );
    const split = quick ? { source: 'skipped (--quick)' } : await kernelSplit(s);
    console.log('  kernel split:', split);
    results.push({ shape: s, matmul, step, kernelSplit: split });
  }
  await be.destroy();
  const report = {
    backend: 'webgpu',
    adapter: be.adapter,
    date: new Date().toISOString(),
    command: `pnpm --filter @saekit/backend-webgpu bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    node: process.version,
    loadAverage: loadavg(),
    notes: software
      ? [
          'llvmpipe runs WGSL on the CPU: absolute numbers measure the CPU, not a GPU.',
          'cpuMs is process CPU time (llvmpipe threads included): on a shared machine it is steadier than wall time.',
          'step comes from benchmarkTrainingStep (@saekit/core): fastest of `rounds` rounds of `steps` steps through Trainer.train, floor = fastest x·W_encᵀ + b_enc.',
          'kernelSplit comes from timestamp queries (one compute pass per dispatch); compare kernelSumMs with stepWallMs before trusting it.',
        ]
      : [],
    results,
  };
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    custom >= 0
      ? `backend-webgpu-${args[custom + 1].replaceAll(',', 'x')}.json`
      : 'backend-webgpu.json',
  );
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

await main();
