// `pnpm bench` in packages/core: training-step throughput of the cpu backend at a small and a
// medium shape, each against the backend's own encoder product (the floor). Writes
// bench-results/core-cpu.json at the repository root.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_SHAPES,
  type BenchResult,
  benchmarkTrainingStep,
  createCpuBackend,
} from '../src/index.js';
import { sweepCost } from './sweep.js';
import { validationCost } from './validation.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(): Promise<void> {
  const results: (BenchResult & { config: string })[] = [];
  for (const config of ['small', 'medium'] as const) {
    const backend = createCpuBackend();
    const r = await benchmarkTrainingStep(backend, BENCH_SHAPES[config], {
      warmupSteps: 1,
      steps: config === 'small' ? 10 : 3,
      kernelTimes: true,
    });
    await backend.destroy();
    results.push({ config, ...r });
    const s = r.shape;
    console.log(
      `${r.backend} ${config} (d=${s.dIn} m=${s.dSae} k=${s.k} B=${s.batchSize}): ` +
        `${Math.round(r.tokensPerSecond)} tokens/s, step ${r.stepMs.toFixed(1)} ms, ` +
        `floor ${r.floorMs.toFixed(1)} ms, ratio ${r.ratio.toFixed(2)}`,
    );
  }
  const validation = await validationCost();
  for (const v of validation) {
    console.log(
      `validation ${v.shape}: ${v.validatedMs.toFixed(3)} ms/step checked vs ${v.unvalidatedMs.toFixed(3)} unchecked ` +
        `(${(v.overheadMs * 1000).toFixed(1)} µs, ${(v.overheadFraction * 100).toFixed(1)}%)`,
    );
  }
  const sweep = await sweepCost();
  console.log(
    `sweep of ${sweep.members} SAEs (${sweep.steps} steps): ${sweep.sweepMs.map((v) => v.toFixed(0)).join(', ')} ms ` +
      `vs one after another ${sweep.separateMs.map((v) => v.toFixed(0)).join(', ')} ms; median ratio ${sweep.medianRatio.toFixed(2)}`,
  );
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    note: 'cpu backend, single thread; target shape d=768 m=16384 k=32 B=4096 is left to GPU backends',
    results,
    validation,
    sweep,
  };
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'core-cpu.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
