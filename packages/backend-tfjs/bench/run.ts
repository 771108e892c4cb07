// pnpm bench (tsx bench/run.ts [--quick]): a Top-K training step against the same
// backend's dense encoder product (the floor), per tfjs backend that starts here, at a
// small and a medium shape. Writes bench-results/backend-tfjs.json at the repository root.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Backend, KERNEL_NAMES, Rng } from '@saekit/core';
import { createTfjsBackend, DEFAULT_PREFERENCE, type TfjsKind } from '../src/index.js';
import { type StepShape, TopKStep } from '../test/support/topk-step.js';

const CONFIGS: readonly (StepShape & { name: string })[] = [
  { name: 'small', batch: 512, dIn: 64, dSae: 1024, k: 16 },
  { name: 'medium', batch: 1024, dIn: 256, dSae: 4096, k: 32 },
];
const quick = process.argv.includes('--quick');

/** Wraps the backend so every kernel call's wall time is summed (tfjs cpu / wasm / tensorflow run ops eagerly). */
function timed(be: Backend, into: Map<string, number>): Backend {
  const names = new Set<string>(KERNEL_NAMES);
  return new Proxy(be, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !names.has(prop) || typeof v !== 'function') {
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const r = v.apply(target, args);
        into.set(prop, (into.get(prop) ?? 0) + performance.now() - t0);
        return r;
      };
    },
  });
}

async function measure(kind: TfjsKind, cfg: StepShape, reps: number) {
  const be = await createTfjsBackend({ prefer: [kind] });
  const kernelMs = new Map<string, number>();
  const rng = new Rng(3);
  const batches = [0, 1].map(() => rng.fillNormal(new Float32Array(cfg.batch * cfg.dIn)));
  const step = new TopKStep(timed(be, kernelMs), cfg);
  // The floor: the encoder product of the same shape, on the same backend.
  step.encoderOnly(batches[0]);
  await step.fvu();
  let t0 = performance.now();
  for (let i = 0; i < reps; i++) step.encoderOnly(batches[i % 2]);
  await step.fvu();
  const floorMs = (performance.now() - t0) / reps;
  step.step(batches[0]);
  await step.fvu();
  kernelMs.clear();
  t0 = performance.now();
  for (let i = 0; i < reps; i++) step.step(batches[i % 2]);
  const fvu = await step.fvu();
  const stepMs = (performance.now() - t0) / reps;
  step.dispose();
  be.destroy();
  const perKernel = Object.fromEntries(
    [...kernelMs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, ms]) => [k, +(ms / reps).toFixed(3)]),
  );
  return {
    tfjsBackend: kind,
    detail: be.choice.detail,
    config: cfg,
    reps,
    stepMs: +stepMs.toFixed(3),
    floorMs: +floorMs.toFixed(3),
    ratio: +(stepMs / floorMs).toFixed(3),
    tokensPerSecond: Math.round((cfg.batch * 1000) / stepMs),
    lastFvu: fvu,
    kernelMs: perKernel,
  };
}

async function main() {
  const results = [];
  const skipped: { tfjsBackend: TfjsKind; reason: string }[] = [];
  for (const kind of DEFAULT_PREFERENCE) {
    try {
      (await createTfjsBackend({ prefer: [kind] })).destroy();
    } catch (err) {
      skipped.push({ tfjsBackend: kind, reason: err instanceof Error ? err.message : String(err) });
      console.log(`skip ${kind}: ${skipped.at(-1)?.reason}`);
      continue;
    }
    for (const cfg of CONFIGS) {
      // The plain-JS cpu backend is ~50x slower than wasm: fewer repetitions keep the run short.
      const reps = quick ? 2 : kind === 'cpu' ? (cfg.name === 'small' ? 5 : 2) : 10;
      const r = await measure(kind, cfg, reps);
      results.push(r);
      console.log(
        `${kind.padEnd(10)} ${cfg.name.padEnd(6)} B=${cfg.batch} d=${cfg.dIn} m=${cfg.dSae} k=${cfg.k}: ` +
          `${r.tokensPerSecond} tok/s, step ${r.stepMs} ms, floor ${r.floorMs} ms, ratio ${r.ratio}`,
      );
    }
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = join(root, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'backend-tfjs.json');
  const body = {
    package: '@saekit/backend-tfjs',
    date: new Date().toISOString(),
    node: process.version,
    step: 'Top-K forward + backward + Adam (no AuxK), bench/run.ts',
    floor: 'dense encoder product x·W_encᵀ of the same shape on the same tfjs backend',
    results,
    skipped,
  };
  await writeFile(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

await main();
