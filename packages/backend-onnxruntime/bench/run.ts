// `pnpm bench` in packages/backend-onnxruntime (tsx --conditions=source bench/run.ts):
// core's benchmarkTrainingStep (full trainer steps against the same backend's dense encoder
// product, the floor) on onnxruntime and cpu, side by side in one run with the PyTorch CPU
// reference (bench/torch_step.py, same shape, same thread count). Writes
// bench-results/backend-onnxruntime.json at the repository root.
//   --config target,medium,small   shapes (BENCH_SHAPES names), default all three
//   --steps N                     timed steps per round (default 3)
//   --no-torch                    skip PyTorch (when python3 has no torch)
//   --no-cpu                      skip the reference cpu backend
//   --gemm auto,mlas              products on CBLAS where one loads (auto) and on ORT's MLAS,
//                                 side by side (default both)
//   --dead-tokens N               both sides call a latent dead after N tokens without firing
//                                 (default 10 M, the trainer's default for a long run: nothing
//                                 dies in a bench and AuxK never runs; 1 kills every latent
//                                 that missed the last batch, timing AuxK on both sides)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_SHAPES,
  type BenchResult,
  type BenchShape,
  benchmarkTrainingStep,
  createCpuBackend,
} from '@saekit/core';
import { createOnnxruntimeBackend } from '../src/index.js';

type Config = keyof typeof BENCH_SHAPES;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const configs = (arg('--config') ?? 'target,medium,small').split(',') as Config[];
const steps = Number(arg('--steps') ?? 3);
const threads = Number(arg('--threads') ?? availableParallelism());
const gemms = (arg('--gemm') ?? 'auto,mlas').split(',') as ('auto' | 'cblas' | 'mlas')[];
// Passed to both sides: left to each, saekit's trainer would shorten it for a short run
// (1/20 of its tokens) while torch_step.py keeps 10 M.
const deadTokens = Number(arg('--dead-tokens') ?? 10_000_000);
const python =
  process.env.SAEKIT_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

interface TorchResult {
  readonly backend: 'pytorch';
  readonly stepMs: number;
  readonly floorMs: number;
  readonly tokensPerSecond: number;
  readonly threads: number;
  readonly deadFraction: number;
}

function runTorch(
  shape: BenchShape,
  encoderBackward: 'sparse' | 'dense',
): TorchResult | { error: string } {
  const r = spawnSync(
    python,
    [
      join(here, 'torch_step.py'),
      ...['--d', shape.dIn, '--m', shape.dSae, '--k', shape.k, '--batch', shape.batchSize],
      ...[
        '--threads',
        threads,
        '--steps',
        steps,
        // The same statistic as saekit's: the faster of two rounds of `steps` steps each.
        '--rounds',
        2,
      ],
      ...['--encoder-backward', encoderBackward],
      ...['--dead-tokens', deadTokens],
    ].map(String),
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0)
    return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() ?? '' };
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TorchResult;
}

function line(
  label: string,
  r: { tokensPerSecond: number; stepMs: number; floorMs: number; deadFraction: number },
): string {
  const dead = r.deadFraction > 0 ? `, ${(r.deadFraction * 100).toFixed(1)}% dead (AuxK on)` : '';
  return `${label}: ${Math.round(r.tokensPerSecond)} tokens/s, step ${r.stepMs.toFixed(1)} ms, floor ${r.floorMs.toFixed(1)} ms, ratio ${(r.stepMs / r.floorMs).toFixed(2)}${dead}`;
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const config of configs) {
    const shape = BENCH_SHAPES[config];
    // The first variant (CBLAS where it loads) is the one compared with PyTorch.
    let o: BenchResult | undefined;
    for (const gemm of gemms) {
      const ort = createOnnxruntimeBackend({ threads, gemm });
      const r: BenchResult = await benchmarkTrainingStep(ort, shape, {
        warmupSteps: 1,
        steps,
        rounds: 2,
        kernelTimes: true,
        deadTokens,
      });
      await ort.destroy();
      const variant = ort.descriptor.variant ?? gemm;
      console.log(line(`onnxruntime (${variant}) ${config}`, r));
      rows.push({ config, device: ort.descriptor.device, variant, ...r });
      o ??= r;
    }
    if (o === undefined) throw new Error('--gemm named no variant');
    if (!process.argv.includes('--no-cpu') && config !== 'target') {
      const cpu = createCpuBackend();
      const c = await benchmarkTrainingStep(cpu, shape, {
        warmupSteps: 1,
        steps,
        rounds: 2,
        deadTokens,
      });
      await cpu.destroy();
      console.log(line(`cpu ${config}`, c));
      rows.push({ config, device: cpu.descriptor.device, ...c });
    }
    if (!process.argv.includes('--no-torch')) {
      // Both ways a PyTorch user would write the encoder's backward; the faster one counts.
      for (const eb of ['sparse', 'dense'] as const) {
        const t = runTorch(shape, eb);
        if ('error' in t) console.log(`pytorch ${config} (${eb}): skipped (${t.error})`);
        else {
          const speedup = o.tokensPerSecond / t.tokensPerSecond;
          console.log(
            `${line(`pytorch ${config} (${eb} encoder backward)`, t)}; onnxruntime/pytorch tokens/s ${speedup.toFixed(2)}×`,
          );
          rows.push({ config, ...t, shape, speedupOfOnnxruntime: speedup });
        }
      }
    }
  }
  const root = join(here, '..', '..', '..');
  const dir = join(root, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'backend-onnxruntime.json');
  const body = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    threads,
    loadAverage: loadavg(),
    note: 'one process, measured side by side; the development machine is shared, so compare ratios within this file',
    results: rows,
  };
  await writeFile(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
