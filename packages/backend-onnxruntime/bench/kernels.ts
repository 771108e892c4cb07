// `pnpm --filter @saekit/backend-onnxruntime bench:kernels` (tsx --conditions=source
// bench/kernels.ts [--config target]): each hot kernel of a training step at one shape, timed
// on this backend and on core's reference cpu kernels over the same data, side by side, so the
// README's kernel table says why each kernel runs where it does. Writes
// bench-results/backend-onnxruntime-kernels.json at the repository root.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Backend,
  BENCH_SHAPES,
  createCpuBackend,
  defaultKAux,
  Rng,
  type Tensor,
} from '@saekit/core';
import { createOnnxruntimeBackend } from '../src/index.js';

const i = process.argv.indexOf('--config');
const config = (i >= 0 ? process.argv[i + 1] : 'target') as keyof typeof BENCH_SHAPES;
const { dIn: d, dSae: m, k, batchSize: B } = BENCH_SHAPES[config];
const kAux = defaultKAux(d, m);
const rng = new Rng(1);
const normal = (n: number) => rng.fillNormal(new Float32Array(n));
const indices = (rows: number, cols: number) => {
  const a = new Int32Array(rows * cols);
  for (let j = 0; j < a.length; j++) a[j] = rng.int(m);
  return a;
};
const data = {
  x: normal(B * d),
  w: normal(m * d),
  bias: normal(m),
  pre: normal(B * m),
  vals: normal(B * k),
  idx: indices(B, k),
  auxVals: normal(B * kAux),
  auxIdx: indices(B, kAux),
  dead: Float32Array.from({ length: m }, (_, j) => (j % 4 === 0 ? 1 : 0)),
};

type Case = [name: string, run: () => void];

function cases(b: Backend): { cases: Case[]; tensors: Tensor[] } {
  const t = (shape: number[], v?: Float32Array | Int32Array) =>
    b.create(shape, v instanceof Int32Array ? 'int32' : 'float32', v);
  const x = t([B, d], data.x);
  const w = t([m, d], data.w);
  const w2 = t([m, d], data.w);
  const g = t([m, d]);
  const mo = t([m, d]);
  const vo = t([m, d]);
  const bias = t([m], data.bias);
  const pre = t([B, m], data.pre);
  const vals = t([B, k], data.vals);
  const idx = t([B, k], data.idx);
  const auxVals = t([B, kAux], data.auxVals);
  const auxIdx = t([B, kAux], data.auxIdx);
  const dead = t([m], data.dead);
  const outK = t([B, k]);
  const outKi = t([B, k], new Int32Array(B * k));
  const outAux = t([B, kAux]);
  const outAuxI = t([B, kAux], new Int32Array(B * kAux));
  const xhat = t([B, d]);
  const metrics = t([4]);
  return {
    tensors: [
      x,
      w,
      w2,
      g,
      mo,
      vo,
      bias,
      pre,
      vals,
      idx,
      auxVals,
      auxIdx,
      dead,
      outK,
      outKi,
      outAux,
      outAuxI,
      xhat,
      metrics,
    ],
    cases: [
      ['matmul x·W_encᵀ + b (the floor)', () => b.matmul(pre, x, w, { transB: true, bias })],
      [`topk k=${k}`, () => b.topk(outK, outKi, pre)],
      [`topk k_aux=${kAux}, 1/4 of columns unmasked`, () => b.topk(outAux, outAuxI, pre, dead)],
      [`gatherSum k=${k}`, () => b.gatherSum(xhat, vals, idx, w, undefined)],
      [`gatherSum k_aux=${kAux}`, () => b.gatherSum(xhat, auxVals, auxIdx, w)],
      [`gatherDot k=${k}`, () => b.gatherDot(outK, x, idx, w)],
      [`scatterOuterAdd k=${k}`, () => b.scatterOuterAdd(g, idx, vals, x)],
      [`scatterOuterAdd k_aux=${kAux}`, () => b.scatterOuterAdd(g, auxIdx, auxVals, x)],
      ['fill [m, d]', () => b.fill(g, 0)],
      [
        'adam [m, d]',
        () => b.adam(w2, g, mo, vo, { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3 }),
      ],
      ['reduce sumSquares [m, d]', () => b.reduce(metrics, 0, g, 'sumSquares')],
      ['removeParallel [m, d]', () => b.removeParallel(g, w)],
      ['normalizeRows [m, d]', () => b.normalizeRows(w2)],
      ['axpby [B, d]', () => b.axpby(xhat, 1, x, -1, xhat)],
    ],
  };
}

function time(run: () => void, reps: number): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function main(): Promise<void> {
  const ort = createOnnxruntimeBackend();
  const cpu = createCpuBackend();
  const a = cases(ort);
  const c = cases(cpu);
  const rows: { kernel: string; onnxruntimeMs: number; cpuMs: number | null }[] = [];
  for (let j = 0; j < a.cases.length; j++) {
    const [name, runOrt] = a.cases[j];
    const onnxruntimeMs = time(runOrt, 3);
    // The reference matmul at this shape takes minutes; the step benchmark has its floor.
    const cpuMs = name.startsWith('matmul') ? null : time(c.cases[j][1], 2);
    rows.push({ kernel: name, onnxruntimeMs, cpuMs });
    console.log(
      `${name}: onnxruntime ${onnxruntimeMs.toFixed(1)} ms, cpu ${cpuMs?.toFixed(1) ?? '-'} ms`,
    );
  }
  await ort.destroy();
  await cpu.destroy();
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  await mkdir(join(root, 'bench-results'), { recursive: true });
  const file = join(root, 'bench-results', 'backend-onnxruntime-kernels.json');
  const body = {
    date: new Date().toISOString(),
    shape: { dIn: d, dSae: m, k, batchSize: B, kAux },
    cores: availableParallelism(),
    loadAverage: loadavg(),
    note: 'fastest of 3 calls (cpu: of 2; its matmul not run); the machine is shared: compare within a row',
    rows,
  };
  await writeFile(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
