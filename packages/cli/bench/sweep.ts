// `pnpm bench` in packages/cli: wall time of `saekit train --sweep` with 4 members against the
// same 4 trained by 4 `saekit train` commands one after another, on bf16 shards (so each batch
// is read, decoded and shuffled as a user's would be), alternated over a few repetitions in
// one process so machine load hits both alike. Writes bench-results/cli-sweep.json at the
// repository root. The command line's process start is part of both sides, as for a user.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const CLI = join(here, '..', 'dist', 'cli.js');
const BACKEND = process.env.SAEKIT_BENCH_BACKEND ?? 'cpu';
const REPETITIONS = 3;

const BASE = ['--d-sae', '256', '--k', '8', '--batch-size', '1024', '--steps', '40', '--seed', '1'];
/** The members: each as a sweep-file entry and as the flags that train it alone. */
const MEMBERS = [
  { entry: { name: 'k8' }, flags: [] as string[] },
  { entry: { name: 'k16', k: 16 }, flags: ['--k', '16'] },
  { entry: { name: 'w512', dSae: 512 }, flags: ['--d-sae', '512'] },
  { entry: { name: 'btk', architecture: 'batchtopk' }, flags: ['--architecture', 'batchtopk'] },
];

function saekit(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`saekit ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'saekit-sweep-bench-'));
  try {
    const shards = join(work, 'shards');
    saekit(['synth', '--out', shards, '--d-in', '64', '--tokens', '65536', '--dtype', 'bf16']);
    const sweepFile = join(work, 'sweep.json');
    writeFileSync(sweepFile, JSON.stringify(MEMBERS.map((m) => m.entry)));
    const common = ['--data', shards, ...BASE, '--backend', BACKEND, '--log-every', '1000'];
    const sweep = (r: number) =>
      saekit(['train', '--sweep', sweepFile, '--out', join(work, `sweep-${r}`), ...common]);
    const separate = (r: number) =>
      MEMBERS.reduce(
        (ms, m) =>
          ms +
          saekit([
            'train',
            '--out',
            join(work, `alone-${r}-${m.entry.name}`),
            ...common,
            ...m.flags,
          ]),
        0,
      );
    const sweepMs: number[] = [];
    const separateMs: number[] = [];
    for (let r = 0; r < REPETITIONS; r++) {
      // Alternate the order so a load change does not always favour one side.
      if (r % 2 === 0) {
        separateMs.push(separate(r));
        sweepMs.push(sweep(r));
      } else {
        sweepMs.push(sweep(r));
        separateMs.push(separate(r));
      }
    }
    const ratios = sweepMs.map((s, i) => s / separateMs[i]).sort((a, b) => a - b);
    const out = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverage: loadavg()[0],
      backend: BACKEND,
      shape:
        'd_in 64, bf16 shards of 65536 rows, batch 1024, 40 steps; members k8, k16, d_sae 512, batchtopk (d_sae 256)',
      sweepMs,
      separateMs,
      medianRatio: ratios[Math.floor(ratios.length / 2)],
    };
    console.log(
      `saekit train --sweep (4 SAEs): ${sweepMs.map((v) => v.toFixed(0)).join(', ')} ms; ` +
        `4 × saekit train: ${separateMs.map((v) => v.toFixed(0)).join(', ')} ms; median ratio ${out.medianRatio.toFixed(2)}`,
    );
    const dir = join(root, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'cli-sweep.json');
    writeFileSync(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    console.log(`wrote ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
