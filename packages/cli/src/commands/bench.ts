import { writeFileSync } from 'node:fs';
import { BENCH_SHAPES, benchmarkTrainingStep } from '@saekit/core';
import { BACKEND_NAMES, type BackendChoice, chooseBackend } from '../backends.js';
import { UsageError } from '../errors.js';

export interface BenchOptions {
  backends?: string[];
  config?: string[];
  steps: number;
  warmup: number;
  json?: string | boolean;
}

interface Shape {
  dIn: number;
  dSae: number;
  k: number;
  batchSize: number;
}

interface Cell {
  backend: string;
  d_in: number;
  d_sae: number;
  k: number;
  batch_size: number;
  tokens_per_s?: number;
  step_ms?: number;
  floor_ms?: number;
  ratio?: number;
  peak_rss_mb?: number;
  error?: string;
}

const DEFAULT_CONFIGS = ['small', 'medium'];

export function parseShape(spec: string): Shape {
  if (Object.hasOwn(BENCH_SHAPES, spec))
    return { ...BENCH_SHAPES[spec as keyof typeof BENCH_SHAPES] };
  const parts = spec.split(/[,x×]/).map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new UsageError(
      '--config',
      `'${spec}' is not d_in,d_sae,k,batch (four positive integers) nor a named shape (${Object.keys(BENCH_SHAPES).join(', ')})`,
    );
  }
  const [dIn, dSae, k, batchSize] = parts;
  if (k > dSae) throw new UsageError('--config', `'${spec}': k (${k}) exceeds d_sae (${dSae})`);
  return { dIn, dSae, k, batchSize };
}

const KNOWN: readonly string[] = BACKEND_NAMES;

export async function runBench(o: BenchOptions): Promise<void> {
  const shapes = (o.config ?? DEFAULT_CONFIGS).map(parseShape);
  const names = o.backends ?? [...KNOWN];
  for (const n of names) {
    if (!KNOWN.includes(n))
      throw new UsageError('--backends', `unknown backend '${n}' (known: ${KNOWN.join(', ')})`);
  }
  const cells: Cell[] = [];
  for (const name of names) {
    let chosen: Awaited<ReturnType<typeof chooseBackend>>;
    try {
      chosen = await chooseBackend(name as BackendChoice);
    } catch (err) {
      process.stderr.write(`skipping ${name}: ${(err as Error).message}\n`);
      if (o.backends)
        for (const s of shapes) cells.push({ ...base(name, s), error: (err as Error).message });
      continue;
    }
    try {
      for (const s of shapes) {
        process.stderr.write(
          `bench ${name} d_in=${s.dIn} d_sae=${s.dSae} k=${s.k} batch=${s.batchSize} ...\n`,
        );
        let peak = process.memoryUsage().rss;
        const timer = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 50);
        try {
          const r = await benchmarkTrainingStep(chosen.backend, s, {
            steps: o.steps,
            warmupSteps: o.warmup,
          });
          peak = Math.max(peak, process.memoryUsage().rss);
          cells.push({
            ...base(name, s),
            tokens_per_s: r.tokensPerSecond,
            step_ms: r.stepMs,
            floor_ms: r.floorMs,
            ratio: r.ratio,
            peak_rss_mb: peak / 2 ** 20,
          });
        } catch (err) {
          cells.push({ ...base(name, s), error: (err as Error).message.split('\n')[0] });
        } finally {
          clearInterval(timer);
        }
      }
    } finally {
      await chosen.backend.destroy();
    }
  }
  const json = JSON.stringify(
    { date: new Date().toISOString(), node: process.version, steps: o.steps, results: cells },
    null,
    2,
  );
  if (o.json === true) process.stdout.write(`${json}\n`);
  else {
    process.stdout.write(formatTable(cells));
    if (typeof o.json === 'string') writeFileSync(o.json, `${json}\n`);
  }
}

function base(backend: string, s: Shape) {
  return { backend, d_in: s.dIn, d_sae: s.dSae, k: s.k, batch_size: s.batchSize };
}

export function formatTable(cells: readonly Cell[]): string {
  const header = [
    'backend',
    'd_in',
    'd_sae',
    'k',
    'batch',
    'tokens/s',
    'step ms',
    'floor ms',
    'step/floor',
    'peak RSS MB',
  ];
  const f = (v: number | undefined, d: number) => (v === undefined ? '-' : v.toFixed(d));
  const rows = cells.map((c) =>
    c.error
      ? [
          c.backend,
          String(c.d_in),
          String(c.d_sae),
          String(c.k),
          String(c.batch_size),
          `error: ${c.error}`,
          '',
          '',
          '',
          '',
        ]
      : [
          c.backend,
          String(c.d_in),
          String(c.d_sae),
          String(c.k),
          String(c.batch_size),
          f(c.tokens_per_s, 0),
          f(c.step_ms, 1),
          f(c.floor_ms, 1),
          f(c.ratio, 2),
          f(c.peak_rss_mb, 0),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `${r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()}\n`;
  return line(header) + line(widths.map((n) => '-'.repeat(n))) + rows.map(line).join('');
}
