// `pnpm bench` in packages/backend-tfjs (tsx --conditions=source bench/run.ts [--quick]):
// core's benchmarkTrainingStep (full trainer steps against the same backend's dense encoder
// product, the floor) on every tfjs backend that starts here, at the small and medium bench
// shapes. Writes bench-results/backend-tfjs.json at the repository root.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SHAPES, type BenchResult, benchmarkTrainingStep } from '@saekit/core';
import { createTfjsBackend, DEFAULT_PREFERENCE, type TfjsKind } from '../src/index.js';

const quick = process.argv.includes('--quick');

/** Timed steps: the plain-JS tfjs cpu backend is ~20x slower than wasm, so it gets fewer. */
function stepsFor(kind: TfjsKind, config: 'small' | 'medium'): number {
  if (quick) return 2;
  if (kind === 'cpu') return config === 'small' ? 3 : 2;
  return config === 'small' ? 10 : 4;
}

async function main(): Promise<void> {
  const results: (BenchResult & { config: string; tfjsBackend: TfjsKind; detail: string })[] = [];
  const skipped: { tfjsBackend: TfjsKind; reason: string }[] = [];
  for (const kind of DEFAULT_PREFERENCE) {
    for (const config of ['small', 'medium'] as const) {
      let backend: Awaited<ReturnType<typeof createTfjsBackend>>;
      try {
        backend = await createTfjsBackend({ prefer: [kind] });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        skipped.push({ tfjsBackend: kind, reason });
        console.log(`tfjs ${kind}: skipped (${reason})`);
        break;
      }
      const r = await benchmarkTrainingStep(backend, BENCH_SHAPES[config], {
        warmupSteps: 1,
        steps: stepsFor(kind, config),
        kernelTimes: true,
      });
      const detail = backend.choice.detail;
      backend.destroy();
      results.push({ config, tfjsBackend: kind, detail, ...r });
      const s = r.shape;
      console.log(
        `tfjs ${kind} ${config} (d=${s.dIn} m=${s.dSae} k=${s.k} B=${s.batchSize}): ` +
          `${Math.round(r.tokensPerSecond)} tokens/s, step ${r.stepMs.toFixed(1)} ms, ` +
          `floor ${r.floorMs.toFixed(1)} ms, ratio ${r.ratio.toFixed(2)}`,
      );
    }
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = join(root, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'backend-tfjs.json');
  const body = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    note: 'tfjs backends in one process, single-threaded; the target shape (d=768 m=16384 k=32 B=4096) is out of reach of wasm/cpu here',
    results,
    skipped,
  };
  await writeFile(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
