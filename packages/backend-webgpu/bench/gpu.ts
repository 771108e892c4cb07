// pnpm --filter @saekit/backend-webgpu bench:gpu [-- --peak TFLOPS,GBPS] [--shape d,m,k,B] [--steps n]
//   [--kernels gpu|software] [--subgroups off]
//
// On a GPU, one command gives the adapter, per-kernel times at the design shape against the
// roofline you pass (e.g. an H100 SXM: --peak 67,3350), with no dead latents and with many,
// then step/floor and host milliseconds per step. Writes
// bench-results/backend-webgpu-gpu.json at the repository root.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGpuBench } from './gpuBench.js';

const args = process.argv.slice(2);

function numbers(flag: string, count: number): number[] | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const values = (args[at + 1] ?? '').split(',').map(Number);
  if (values.length !== count || !values.every((v) => Number.isFinite(v) && v > 0)) {
    console.error(`${flag} wants ${count} positive numbers separated by commas`);
    process.exit(2);
  }
  return values;
}

const [d, m, k, B] = numbers('--shape', 4) ?? [768, 16384, 32, 4096];
const peak = numbers('--peak', 2);
const [steps] = numbers('--steps', 1) ?? [5];
const kernelsAt = args.indexOf('--kernels');
const kernels = kernelsAt < 0 ? 'auto' : args[kernelsAt + 1];
if (kernels !== 'auto' && kernels !== 'gpu' && kernels !== 'software') {
  console.error('--kernels wants gpu or software');
  process.exit(2);
}
// Subgroups on by default where the adapter has them; `--subgroups off` times the
// workgroup-memory matmul instead, so one GPU can compare the two paths.
const subgroupsAt = args.indexOf('--subgroups');
const subgroupsArg = subgroupsAt < 0 ? 'on' : args[subgroupsAt + 1];
if (subgroupsArg !== 'on' && subgroupsArg !== 'off') {
  console.error('--subgroups wants on or off');
  process.exit(2);
}
const result = await runGpuBench({
  kernels,
  subgroups: subgroupsArg === 'on',
  d,
  m,
  k,
  B,
  steps,
  ...(peak ? { peakTflops: peak[0], peakGbps: peak[1] } : {}),
});
const report = {
  backend: 'webgpu',
  command: `pnpm --filter @saekit/backend-webgpu bench:gpu${args.length ? ` -- ${args.join(' ')}` : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  loadAverage: loadavg(),
  ...result,
};
const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../bench-results');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'backend-webgpu-gpu.json');
writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
console.log(`wrote ${file}`);
