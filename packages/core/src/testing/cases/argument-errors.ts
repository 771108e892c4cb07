import { expect } from 'vitest';
import type { Backend } from '../../backend/backend.js';
import { KERNEL_NAMES } from '../../backend/kernel-specs.js';
import type { Tensor } from '../../backend/tensor.js';
import { KernelArgumentError } from '../../errors.js';
import type { CaseContext, ConformanceGroup } from '../case.js';

/**
 * Every backend refuses the same bad calls with the same KernelArgumentError: core validates
 * each call from the kernel's declaration before the backend runs, so a backend that bypasses
 * that (or a kernel whose declaration is wrong) fails here. Each row names the kernel, the
 * argument the error must name, and the message it must start with.
 */
type BadCall = readonly [
  kernel: string,
  argument: string,
  call: (b: Backend, t: Maker) => void,
  message: RegExp,
];

interface Maker {
  f(...shape: number[]): Tensor;
  i(...shape: number[]): Tensor;
}

const adamOptions = { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1 };

const BAD_CALLS: readonly BadCall[] = [
  ['fill', 'value', (b, { i }) => b.fill(i(3), 0.5), /^fill: value 0.5 must be an integer/],
  [
    'fill',
    'value',
    (b, { f }) => b.fill(f(3), Number.NaN),
    /^fill: value NaN must be a finite number/,
  ],
  [
    'copy',
    'src',
    (b, { f }) => b.copy(f(3), f(4)),
    /^copy: out \[3\] and src \[4\] differ in size/,
  ],
  ['copy', 'src', (b, { f, i }) => b.copy(f(3), i(3)), /^copy: out is float32 but src is int32/],
  [
    'matmul',
    'b',
    (b, { f }) => b.matmul(f(2, 2), f(2, 3), f(2, 2)),
    /^matmul: inner dimensions differ/,
  ],
  [
    'matmul',
    'out',
    (b, { f }) => b.matmul(f(2, 3), f(2, 2), f(2, 2)),
    /^matmul: out \[2, 3\] must be \[2, 2\]/,
  ],
  [
    'matmul',
    'bias',
    (b, { f }) => b.matmul(f(2, 2), f(2, 2), f(2, 2), { bias: f(3) }),
    /^matmul: bias \[3\] must have 2 elements/,
  ],
  [
    'matmul',
    'out',
    (b, { f }) => {
      const a = f(2, 2);
      b.matmul(a, a, f(2, 2));
    },
    /^matmul: out must not alias a/,
  ],
  [
    'matmul',
    'out',
    (b, { f }) => {
      const o = f(1, 2);
      b.matmul(o, f(1, 2), f(2, 2), { bias: o });
    },
    /^matmul: out must not alias bias/,
  ],
  [
    'topk',
    'values',
    (b, { f, i }) => b.topk(f(2, 3), i(2, 3), f(3, 5)),
    /^topk: values \[2, 3\] must have 3 rows/,
  ],
  [
    'topk',
    'indices',
    (b, { f, i }) => b.topk(f(2, 3), i(2, 2), f(2, 5)),
    /^topk: indices \[2, 2\] must have the shape of values/,
  ],
  [
    'topk',
    'indices',
    (b, { f }) => b.topk(f(2, 3), f(2, 3), f(2, 5)),
    /^topk: indices must be int32, got float32/,
  ],
  [
    'topk',
    'mask',
    (b, { f, i }) => b.topk(f(2, 3), i(2, 3), f(2, 5), f(4)),
    /^topk: mask \[4\] must have 5 elements/,
  ],
  [
    'topk',
    'values',
    (b, { f, i }) => {
      const s = f(2, 3);
      b.topk(s, i(2, 3), s);
    },
    /^topk: values must not alias scores/,
  ],
  [
    'kthLargest',
    'n',
    (b, { f }) => b.kthLargest(f(1), 0, f(4), 5),
    /^kthLargest: n 5 must be an integer in \[1, 4\]/,
  ],
  [
    'kthLargest',
    'n',
    (b, { f }) => b.kthLargest(f(1), 0, f(4), 1.5),
    /^kthLargest: n 1.5 must be an integer/,
  ],
  [
    'kthLargest',
    'offset',
    (b, { f }) => b.kthLargest(f(1), 1, f(4), 1),
    /^kthLargest: offset 1 is outside out/,
  ],
  [
    'gatherSum',
    'out',
    (b, { f, i }) => b.gatherSum(f(2, 3), f(2, 2), i(2, 2), f(5, 4)),
    /^gatherSum: out \[2, 3\] must be \[2, 4\]/,
  ],
  [
    'gatherSum',
    'bias',
    (b, { f, i }) => b.gatherSum(f(2, 4), f(2, 2), i(2, 2), f(5, 4), f(3)),
    /^gatherSum: bias \[3\] must have 4 elements/,
  ],
  [
    'gatherSum',
    'bias',
    (b, { f, i }) => b.gatherSum(f(2, 4), f(2, 2), i(2, 2), f(5, 4), i(4)),
    /^gatherSum: bias must be float32/,
  ],
  [
    'gatherSum',
    'out',
    (b, { f, i }) => {
      const w = f(2, 4);
      b.gatherSum(w, f(2, 2), i(2, 2), w);
    },
    /^gatherSum: out must not alias weight/,
  ],
  [
    'gatherDot',
    'x',
    (b, { f, i }) => b.gatherDot(f(2, 2), f(2, 3), i(2, 2), f(5, 4)),
    /^gatherDot: x \[2, 3\] must be \[2, 4\]/,
  ],
  [
    'gatherDot',
    'out',
    (b, { f, i }) => b.gatherDot(f(3, 2), f(2, 4), i(2, 2), f(5, 4)),
    /^gatherDot: out \[3, 2\] must have 2 rows/,
  ],
  [
    'scatterOuterAdd',
    'indices',
    (b, { f, i }) => b.scatterOuterAdd(f(5, 4), i(2, 2), f(2, 3), f(2, 4)),
    /^scatterOuterAdd: indices \[2, 2\] must have the shape of values \[2, 3\]/,
  ],
  [
    'scatterOuterAdd',
    'weight',
    (b, { f, i }) => {
      const w = f(2, 4);
      b.scatterOuterAdd(w, i(2, 2), f(2, 2), w);
    },
    /^scatterOuterAdd: weight must not alias x/,
  ],
  [
    'scatterAdd',
    'out',
    (b, { f, i }) => b.scatterAdd(f(5, 1), i(3), f(3)),
    /^scatterAdd: out \[5, 1\] must be 1-D/,
  ],
  [
    'scatterAdd',
    'indices',
    (b, { f }) => b.scatterAdd(f(5), f(3), f(3)),
    /^scatterAdd: indices must be int32/,
  ],
  [
    'columnSums',
    'out',
    (b, { f }) => b.columnSums(f(4), f(2, 3)),
    /^columnSums: out \[4\] must have 3 elements/,
  ],
  [
    'columnSums',
    'out',
    (b, { f }) => {
      const x = f(3);
      b.columnSums(x, x);
    },
    /^columnSums: out must not alias x/,
  ],
  [
    'reduce',
    'offset',
    (b, { f }) => b.reduce(f(2), 2, f(3), 'sum'),
    /^reduce: offset 2 is outside out/,
  ],
  [
    'reduce',
    'op',
    (b, { f }) => b.reduce(f(2), 0, f(3), 'mean' as never),
    /^reduce: op 'mean' is not one of sum, sumSquares, sumSquaresCentered/,
  ],
  [
    'axpby',
    'y',
    (b, { f }) => b.axpby(f(2, 3), 1, f(2, 3), 1, f(2)),
    /^axpby: y \[2\] must have the size of x \[2, 3\] or of one of its rows \(3\)/,
  ],
  [
    'axpby',
    'a.index',
    (b, { f }) => b.axpby(f(2, 3), { numerator: 1, source: f(2), index: 2 }, f(2, 3), 1, f(3)),
    /^axpby: a.index 2 is outside a.source/,
  ],
  [
    'axpby',
    'out',
    (b, { f }) => {
      const s = f(2);
      b.axpby(s, { numerator: 1, source: s, index: 0 }, f(2), 1, f(2));
    },
    /^axpby: out must not alias a.source/,
  ],
  [
    'maskPositive',
    'ref',
    (b, { f }) => b.maskPositive(f(3), f(3), f(4)),
    /^maskPositive: ref \[4\] must have the size of out \[3\]/,
  ],
  [
    'greaterThan',
    'out',
    (b, { f }) => b.greaterThan(f(3), f(4), 0),
    /^greaterThan: out \[3\] must have the size of x \[4\]/,
  ],
  ['exp', 'x', (b, { f }) => b.exp(f(3), f(4)), /^exp: x \[4\] must have the size of out \[3\]/],
  ['exp', 'x', (b, { f, i }) => b.exp(f(3), i(3)), /^exp: x must be float32, got int32/],
  [
    'thresholdRelu',
    'threshold',
    (b, { f }) => b.thresholdRelu(f(2, 3), f(2, 3), f(2)),
    /^thresholdRelu: threshold \[2\] must have 3 elements/,
  ],
  [
    'thresholdRelu',
    'index',
    (b, { f }) => b.thresholdRelu(f(2, 3), f(2, 3), f(2), 2),
    /^thresholdRelu: index 2 is outside threshold/,
  ],
  [
    'staleCounter',
    'fired',
    (b, { f }) => b.staleCounter(f(3), f(4), 1),
    /^staleCounter: fired \[4\] must have the size of counter \[3\]/,
  ],
  [
    'staleCounter',
    'increment',
    (b, { f, i }) => b.staleCounter(i(3), f(3), 0.5),
    /^staleCounter: increment 0.5 must be an integer/,
  ],
  [
    'adam',
    'v',
    (b, { f }) => b.adam(f(3), f(3), f(3), f(2), adamOptions),
    /^adam: v \[2\] must have the size of param \[3\]/,
  ],
  [
    'adam',
    'step',
    (b, { f }) => b.adam(f(3), f(3), f(3), f(3), { ...adamOptions, step: 0 }),
    /^adam: step 0 must be an integer ≥ 1/,
  ],
  [
    'adam',
    'step',
    (b, { f }) => b.adam(f(3), f(3), f(3), f(3), { ...adamOptions, step: 1.5 }),
    /^adam: step 1.5 must be an integer/,
  ],
  [
    'adam',
    'param',
    (b, { f }) => {
      const t = f(3);
      b.adam(t, f(3), t, f(3), adamOptions);
    },
    /^adam: param must not alias m/,
  ],
  [
    'adam',
    'm',
    (b, { f }) => {
      const g = f(3);
      b.adam(f(3), g, g, f(3), adamOptions);
    },
    /^adam: m must not alias grad/,
  ],
  [
    'normalizeRows',
    'weight',
    (b, { i }) => b.normalizeRows(i(2, 2)),
    /^normalizeRows: weight must be float32, got int32/,
  ],
  [
    'removeParallel',
    'weight',
    (b, { f }) => b.removeParallel(f(2, 3), f(3, 2)),
    /^removeParallel: weight \[3, 2\] must be \[2, 3\]/,
  ],
  [
    'removeParallel',
    'grad',
    (b, { f }) => {
      const g = f(2, 3);
      b.removeParallel(g, g);
    },
    /^removeParallel: grad must not alias weight/,
  ],
];

function maker(ctx: CaseContext): Maker {
  return { f: (...s) => ctx.tensor(s, 'float32'), i: (...s) => ctx.tensor(s, 'int32') };
}

function expectRefused(
  call: () => unknown,
  kernel: string,
  argument: string,
  message: RegExp,
): void {
  let err: unknown;
  try {
    call();
  } catch (e) {
    err = e;
  }
  expect(err, `${kernel} should refuse: ${message}`).toBeInstanceOf(KernelArgumentError);
  const e = err as KernelArgumentError;
  expect(e.message).toMatch(message);
  expect([e.kernel, e.argument]).toEqual([kernel, argument]);
}

export const argumentErrorCases: ConformanceGroup = {
  name: 'argument errors',
  cases: [
    {
      name: 'every kernel refuses a bad shape, dtype, number or aliasing with the same error',
      async run(ctx) {
        const t = maker(ctx);
        for (const [kernel, argument, call, message] of BAD_CALLS) {
          expectRefused(() => call(ctx.backend, t), kernel, argument, message);
        }
        const covered = new Set(BAD_CALLS.map(([k]) => k));
        expect(KERNEL_NAMES.filter((k) => !covered.has(k))).toEqual([]);
      },
    },
    {
      name: 'tensors of another backend, disposed tensors and plain objects are refused',
      async run(ctx) {
        const b = ctx.backend;
        const mine = ctx.tensor([3]);
        const fake = { shape: [3], dtype: 'float32', size: 3, backend: 'elsewhere' } as Tensor;
        expectRefused(
          () => b.fill(fake, 0),
          'fill',
          'out',
          /^fill: out is a 'elsewhere' tensor, not a tensor of this \S+ backend/,
        );
        expectRefused(
          () => b.copy(mine, fake),
          'copy',
          'src',
          /^copy: src is a 'elsewhere' tensor/,
        );
        expectRefused(
          () => b.copy(mine, undefined as unknown as Tensor),
          'copy',
          'src',
          /^copy: src is undefined, not a tensor/,
        );
        const other = await ctx.anotherBackend();
        if (other !== undefined) {
          const theirs = other.create([3]);
          expectRefused(
            () => b.copy(mine, theirs),
            'copy',
            'src',
            new RegExp(`^copy: src belongs to another ${b.name} backend instance`),
          );
        }
        const gone = b.create([3]);
        b.dispose(gone);
        expectRefused(() => b.copy(gone, mine), 'copy', 'out', /^copy: out has been disposed/);
        await expect(b.read(gone)).rejects.toThrow(/^read: tensor has been disposed/);
        expectRefused(
          () => b.dispose(gone),
          'dispose',
          'tensor',
          /^dispose: tensor has been disposed/,
        );
      },
    },
    {
      name: 'create and write check the shape, dtype and host array',
      async run(ctx) {
        const b = ctx.backend;
        expectRefused(
          () => b.create([2, 2], 'float32', new Float32Array(3)),
          'create',
          'data',
          /^create: data has 3 elements, the tensor has 4/,
        );
        expectRefused(
          () => b.create([2], 'int32', new Float32Array(2) as unknown as Int32Array),
          'create',
          'data',
          /^create: data must be a Int32Array for a int32 tensor/,
        );
        expectRefused(() => b.create([2, -1]), 'create', 'shape', /^create: shape\[1\] = -1/);
        expectRefused(
          () => b.create([2], 'float64' as never),
          'create',
          'dtype',
          /^create: dtype 'float64'/,
        );
        expectRefused(
          () => b.write(ctx.tensor([2]), new Float32Array(3)),
          'write',
          'data',
          /^write: data has 3 elements/,
        );
      },
    },
    {
      name: "a config over the backend's top-k limit is refused before allocation (when it has one)",
      async run(ctx) {
        const { maxTopK } = ctx.backend.descriptor.limits;
        if (!Number.isFinite(maxTopK)) return;
        const { Trainer } = await import('../../train/trainer.js');
        const dSae = maxTopK * 2;
        const err = await Trainer.create(ctx.backend, {
          dIn: 8,
          dSae,
          k: maxTopK + 1,
          batchSize: 4,
          steps: 1,
        }).catch((e: unknown) => e);
        expect((err as Error).message).toMatch(new RegExp(`maxTopK = ${maxTopK}`));
      },
    },
  ],
};
