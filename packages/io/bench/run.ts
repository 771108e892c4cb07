/**
 * Read throughput of ActivationDataset against a plain sequential read of the same bytes on
 * the same disk, for f32 and f16 shards. Writes bench-results/io-read.json at the repo root.
 *
 *   pnpm --filter @saekit/io bench            (defaults: d 768, 65536 rows per dtype)
 *   BENCH_ROWS=262144 BENCH_D=1024 pnpm --filter @saekit/io bench
 *
 * The shards are written just before they are read, so both readers see a warm page cache:
 * the figures compare the dataset's own overhead (decode, finite check, shuffle, copy) with
 * the cost of moving the bytes, not the disk.
 */
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActivationDataset, ShardWriter } from '../src/index.js';

const D = Number(process.env['BENCH_D'] ?? 768);
const ROWS = Number(process.env['BENCH_ROWS'] ?? 65536);
const SHARDS = 4;
const BATCH = 4096;
const REPEATS = 3;

async function writeShards(dir: string, dtype: 'f32' | 'f16'): Promise<string[]> {
  const writer = new ShardWriter(dir, { dIn: D, dtype, rowsPerShard: ROWS / SHARDS });
  const chunk = new Float32Array(4096 * D);
  let s = 12345;
  for (let i = 0; i < chunk.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    chunk[i] = (s / 2 ** 32 - 0.5) * 4;
  }
  for (let r = 0; r < ROWS; r += 4096)
    await writer.append(chunk.subarray(0, Math.min(4096, ROWS - r) * D));
  return [...(await writer.close())];
}

/** Sequential read of whole files in 8 MiB pieces into one reused buffer. */
async function plainRead(files: string[]): Promise<number> {
  const buf = new Uint8Array(8 << 20);
  let total = 0;
  for (const f of files) {
    const h = await open(f, 'r');
    try {
      for (;;) {
        const { bytesRead } = await h.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
    } finally {
      await h.close();
    }
  }
  return total;
}

const WORKERS = Math.max(1, availableParallelism() - 1);

async function datasetRead(
  dir: string,
  shuffle: boolean,
  reuseBatches: boolean,
  workers = 0,
): Promise<number> {
  const ds = await ActivationDataset.open(dir, {
    batchSize: BATCH,
    shuffle,
    seed: 1,
    reuseBatches,
    workers,
  });
  let rows = 0;
  let sink = 0;
  for await (const b of ds) {
    rows += b.length / D;
    sink += b[0];
  }
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return rows;
}

interface Timed<T> {
  seconds: number;
  /** CPU time of this process (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  value: T;
}

async function time<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'saekit-io-bench-'));
  const results: Record<string, unknown>[] = [];
  try {
    for (const dtype of ['f32', 'f16'] as const) {
      const dir = join(root, dtype);
      const files = await writeShards(dir, dtype);
      let bytes = 0;
      for (const f of files) bytes += (await stat(f)).size;
      const plain: Timed<unknown>[] = [];
      const shuffled: Timed<unknown>[] = [];
      const reused: Timed<unknown>[] = [];
      const ordered: Timed<unknown>[] = [];
      const workers: Timed<unknown>[] = [];
      for (let r = 0; r < REPEATS; r++) {
        plain.push(await time(() => plainRead(files)));
        const a = await time(() => datasetRead(dir, true, false));
        if (a.value !== Math.floor(ROWS / BATCH) * BATCH) throw new Error(`read ${a.value} rows`);
        shuffled.push(a);
        reused.push(await time(() => datasetRead(dir, true, true)));
        ordered.push(await time(() => datasetRead(dir, false, true)));
        workers.push(await time(() => datasetRead(dir, true, true, WORKERS)));
      }
      const row = (name: string, runs: Timed<unknown>[]) => {
        const s = median(runs.map((r) => r.seconds));
        const cpu = median(runs.map((r) => r.cpuSeconds));
        return {
          reader: name,
          dtype,
          seconds: Number(s.toFixed(4)),
          diskGBps: Number((bytes / s / 1e9).toFixed(3)),
          tokensPerSecond: Math.round(ROWS / s),
          outputGBps:
            name === 'plain-sequential-read' ? null : Number(((ROWS * D * 4) / s / 1e9).toFixed(3)),
          cpuSeconds: Number(cpu.toFixed(4)),
          tokensPerCpuSecond: Math.round(ROWS / cpu),
        };
      };
      const p = row('plain-sequential-read', plain);
      results.push(p);
      for (const [name, secs] of [
        ['ActivationDataset shuffle', shuffled],
        ['ActivationDataset shuffle, reuseBatches', reused],
        ['ActivationDataset in order, reuseBatches', ordered],
        [`ActivationDataset shuffle, reuseBatches, ${WORKERS} decode worker(s)`, workers],
      ] as const) {
        const r = row(name, secs);
        results.push({
          ...r,
          vsPlain: Number((r.seconds / p.seconds).toFixed(2)),
          cpuVsPlain: Number((r.cpuSeconds / p.cpuSeconds).toFixed(2)),
        });
      }
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const report = {
    bench: 'io-read',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    // Other processes share this machine: the 1-minute load average when the run ended.
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    shape: { d: D, rows: ROWS, shards: SHARDS, batchSize: BATCH, shuffleBuffer: 'default' },
    // cpuSeconds counts this process's threads, decode workers included.
    note: 'warm page cache (shards written just before reading); median of 3; vsPlain = wall time / plain read wall time of the same files; cpuVsPlain the same in process CPU time',
    results,
  };
  const outDir = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'io-read.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.table(results);
  console.log(`wrote ${join(outDir, 'io-read.json')}`);
}

await main();
