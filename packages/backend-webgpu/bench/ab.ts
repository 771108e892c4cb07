// Interleaved before/after of a training step on this machine's adapter, both builds in one
// process, so that a shared machine's load falls on both alike:
//   pnpm --filter @saekit/backend-webgpu exec tsx bench/ab.ts --before /path/to/old/checkout \
//     [--after /path/to/new/checkout] [--shape d,m,k,B] [--kernels auto|gpu|software] \
//     [--reps 3] [--steps 1,1,1]
// Each checkout must be built (`pnpm build`): its packages/core and packages/backend-webgpu
// dist are imported. --steps is core's benchmarkTrainingStep `steps,rounds,floorRepeats`
// (one warm-up step). Prints one JSON line per run: floor and step ms, step/floor, tokens/s,
// the matmul paths taken and the 1-minute load average before and after.
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Core = typeof import('@saekit/core');
type WebGpu = typeof import('../src/index.js');

const args = process.argv.slice(2);
function flag(name: string, fallback?: string): string {
  const at = args.indexOf(name);
  const value = at < 0 ? fallback : args[at + 1];
  if (value === undefined) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}
function numbers(name: string, fallback: string, count: number): number[] {
  const values = flag(name, fallback).split(',').map(Number);
  if (values.length !== count || !values.every((v) => Number.isInteger(v) && v > 0)) {
    console.error(`${name} wants ${count} positive integers separated by commas`);
    process.exit(2);
  }
  return values;
}

const here = fileURLToPath(new URL('../../..', import.meta.url));
const roots = { before: resolve(flag('--before')), after: resolve(flag('--after', here)) };
const [dIn, dSae, k, batchSize] = numbers('--shape', '256,4096,32,1024', 4);
const [steps, rounds, floorRepeats] = numbers('--steps', '1,1,1', 3);
const [reps] = numbers('--reps', '3', 1);
const kernels = flag('--kernels', 'auto');
if (kernels !== 'auto' && kernels !== 'gpu' && kernels !== 'software') {
  console.error('--kernels wants auto, gpu or software');
  process.exit(2);
}

async function load(root: string): Promise<{ core: Core; webgpu: WebGpu }> {
  const dist = (pkg: string) => join(root, 'packages', pkg, 'dist/index.js');
  return {
    core: (await import(dist('core'))) as Core,
    webgpu: (await import(dist('backend-webgpu'))) as WebGpu,
  };
}
const builds = { before: await load(roots.before), after: await load(roots.after) };

for (let rep = 0; rep < reps; rep++) {
  // Alternate which build goes first, so neither always meets the same phase of the load.
  for (const arm of rep % 2 === 0
    ? (['before', 'after'] as const)
    : (['after', 'before'] as const)) {
    const { core, webgpu } = builds[arm];
    const loadBefore = loadavg()[0];
    const be = await webgpu.createWebGpuBackend({ kernels });
    const r = await core.benchmarkTrainingStep(
      be,
      { dIn, dSae, k, batchSize },
      { steps, rounds, floorRepeats, warmupSteps: 1 },
    );
    const paths = [...be.kernelPaths().keys()].filter((key) => key.startsWith('matmul'));
    await be.destroy();
    console.log(
      JSON.stringify({
        arm,
        rep,
        kernels: be.softwareKernels ? 'software' : 'gpu',
        floorMs: Math.round(r.floorMs),
        stepMs: Math.round(r.stepMs),
        stepPerFloor: Number(r.ratio.toFixed(2)),
        tokensPerSecond: Math.round(r.tokensPerSecond),
        paths,
        load1: [loadBefore, loadavg()[0]],
      }),
    );
  }
}
process.exit(0);
