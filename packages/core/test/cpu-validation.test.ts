import { createCpuBackend, KERNEL_NAMES, ShapeError, type Tensor } from '@saekit/core';
import { describe, expect, it } from 'vitest';

/**
 * Every kernel refuses bad arguments with a ShapeError whose message starts with the kernel's
 * name and names the argument at fault.
 */
describe('cpu backend: argument validation', () => {
  const be = createCpuBackend();
  const f = (...shape: number[]) => be.create(shape);
  const i = (...shape: number[]) => be.create(shape, 'int32');

  const bad: [string, () => void, RegExp][] = [
    ['fill', () => be.fill(i(3), 0.5), /^fill: value 0.5 must be an integer/],
    ['copy', () => be.copy(f(3), f(4)), /^copy: out \[3\] and src \[4\] differ in size/],
    ['copy', () => be.copy(f(3), i(3)), /^copy: out is float32 but src is int32/],
    ['matmul', () => be.matmul(f(2, 2), f(2, 3), f(2, 2)), /^matmul: inner dimensions differ/],
    [
      'matmul',
      () => be.matmul(f(2, 3), f(2, 2), f(2, 2)),
      /^matmul: out \[2, 3\] must be \[2, 2\]/,
    ],
    ['matmul', () => be.matmul(f(2, 2), f(2, 2), f(2, 2), { bias: f(3) }), /^matmul: bias \[3\]/],
    [
      'matmul',
      () => {
        const a = f(2, 2);
        be.matmul(a, a, f(2, 2));
      },
      /^matmul: out must not alias a/,
    ],
    ['topk', () => be.topk(f(2, 3), i(2, 3), f(3, 5)), /^topk: values \[2, 3\] must have 3 rows/],
    ['topk', () => be.topk(f(2, 3), i(2, 2), f(2, 5)), /^topk: indices \[2, 2\]/],
    ['topk', () => be.topk(f(2, 3), f(2, 3), f(2, 5)), /^topk: indices must be int32/],
    [
      'topk',
      () => be.topk(f(2, 3), i(2, 3), f(2, 5), f(4)),
      /^topk: mask \[4\] must have 5 elements/,
    ],
    [
      'kthLargest',
      () => be.kthLargest(f(1), 0, f(4), 5),
      /^kthLargest: n 5 must be an integer in \[1, 4\]/,
    ],
    ['kthLargest', () => be.kthLargest(f(1), 1, f(4), 1), /^kthLargest: offset 1 is outside/],
    [
      'gatherSum',
      () => be.gatherSum(f(2, 3), f(2, 2), i(2, 2), f(5, 4)),
      /^gatherSum: out \[2, 3\] must be \[2, 4\]/,
    ],
    [
      'gatherSum',
      () => be.gatherSum(f(2, 4), f(2, 2), i(2, 2), f(5, 4), f(3)),
      /^gatherSum: bias \[3\]/,
    ],
    [
      'gatherSum',
      () => be.gatherSum(f(2, 4), f(2, 2), i(2, 2), f(5, 4), i(4)),
      /^gatherSum: bias must be float32/,
    ],
    [
      'gatherDot',
      () => be.gatherDot(f(2, 2), f(2, 3), i(2, 2), f(5, 4)),
      /^gatherDot: x \[2, 3\] must be \[2, 4\]/,
    ],
    [
      'gatherDot',
      () =>
        be.gatherDot(
          f(2, 2),
          f(2, 4),
          be.create([2, 2], 'int32', Int32Array.from([0, 1, 5, -1])),
          f(5, 4),
        ),
      /^gatherDot: indices\[2\] = 5 is outside \[0, 5\)/,
    ],
    [
      'gatherDot',
      () => be.gatherDot(f(3, 2), f(2, 4), i(2, 2), f(5, 4)),
      /^gatherDot: out \[3, 2\] must have 2 rows/,
    ],
    [
      'scatterOuterAdd',
      () => be.scatterOuterAdd(f(5, 4), i(2, 2), f(2, 3), f(2, 4)),
      /^scatterOuterAdd: indices \[2, 2\] must have the shape of values \[2, 3\]/,
    ],
    [
      'scatterAdd',
      () => be.scatterAdd(f(5, 1), i(3), f(3)),
      /^scatterAdd: out \[5, 1\] must be 1-D/,
    ],
    [
      'columnSums',
      () => be.columnSums(f(4), f(2, 3)),
      /^columnSums: out \[4\] must have 3 elements/,
    ],
    ['reduce', () => be.reduce(f(2), 2, f(3), 'sum'), /^reduce: offset 2 is outside/],
    ['reduce', () => be.reduce(f(2), 0, f(3), 'mean' as never), /^reduce: op 'mean'/],
    [
      'axpby',
      () => be.axpby(f(2, 3), 1, f(2, 3), 1, f(2)),
      /^axpby: y \[2\] must have the size of x \[2, 3\] or of one of its rows \(3\)/,
    ],
    [
      'axpby',
      () => be.axpby(f(2, 3), { numerator: 1, source: f(2), index: 2 }, f(2, 3), 1, f(3)),
      /^axpby: a.index 2 is outside a.source/,
    ],
    [
      'maskPositive',
      () => be.maskPositive(f(3), f(3), f(4)),
      /^maskPositive: out \[3\], grad \[3\] and ref \[4\]/,
    ],
    [
      'greaterThan',
      () => be.greaterThan(f(3), f(4), 0),
      /^greaterThan: out \[3\] must have the size of x \[4\]/,
    ],
    [
      'thresholdRelu',
      () => be.thresholdRelu(f(2, 3), f(2, 3), f(2)),
      /^thresholdRelu: threshold \[2\] must have 3 elements/,
    ],
    [
      'thresholdRelu',
      () => be.thresholdRelu(f(2, 3), f(2, 3), f(2), 2),
      /^thresholdRelu: index 2 is outside/,
    ],
    [
      'staleCounter',
      () => be.staleCounter(f(3), f(4), 1),
      /^staleCounter: fired \[4\] must have the size of counter \[3\]/,
    ],
    [
      'adam',
      () => be.adam(f(3), f(3), f(3), f(2), { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1 }),
      /^adam: v \[2\] must have the size of param \[3\]/,
    ],
    [
      'adam',
      () => be.adam(f(3), f(3), f(3), f(3), { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 0 }),
      /^adam: step 0 must be an integer ≥ 1/,
    ],
    [
      'adam',
      () => {
        const t = f(3);
        be.adam(t, f(3), t, f(3), { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1 });
      },
      /^adam: param, grad, m and v must be four distinct tensors/,
    ],
    [
      'normalizeRows',
      () => be.normalizeRows(i(2, 2)),
      /^normalizeRows: weight must be float32, got int32/,
    ],
    [
      'removeParallel',
      () => be.removeParallel(f(2, 3), f(3, 2)),
      /^removeParallel: weight \[3, 2\] must be \[2, 3\] like grad/,
    ],
  ];

  it.each(bad)('%s refuses a bad call: %s', (_kernel, call, message) => {
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(message);
  });

  it('has at least one refusal test for every kernel', () => {
    const covered = new Set(bad.map(([k]) => k));
    expect(KERNEL_NAMES.filter((k) => !covered.has(k))).toEqual([]);
  });

  it('refuses tensors of another backend instance, disposed tensors and foreign objects', async () => {
    const other = createCpuBackend();
    const mine = f(3);
    expect(() => be.copy(mine, other.create([3]))).toThrow(
      /^copy: src belongs to another cpu backend instance/,
    );
    const gone = f(3);
    be.dispose(gone);
    expect(() => be.copy(gone, mine)).toThrow(/^copy: out has been disposed/);
    await expect(be.read(gone)).rejects.toThrow(/^read: tensor has been disposed/);
    const fake = { shape: [3], dtype: 'float32', size: 3, backend: 'webgpu' } as Tensor;
    expect(() => be.fill(fake, 0)).toThrow(
      /^fill: out is a 'webgpu' tensor, not a tensor of this cpu backend/,
    );
  });

  it('create and write check the host array type and length', () => {
    expect(() => be.create([2, 2], 'float32', new Float32Array(3))).toThrow(
      /^create: data has 3 elements, the tensor has 4/,
    );
    expect(() => be.create([2], 'int32', new Float32Array(2))).toThrow(
      /^create: data must be a Int32Array for a int32 tensor/,
    );
    expect(() => be.create([2, -1])).toThrow(/^create: shape\[1\] = -1/);
    expect(() => be.write(f(2), new Float32Array(3))).toThrow(/^write: data has 3 elements/);
  });

  it('a destroyed backend refuses further work', () => {
    const b = createCpuBackend();
    const t = b.create([2]);
    b.destroy();
    expect(() => b.fill(t, 1)).toThrow(/destroyed/);
    expect(() => b.create([2])).toThrow(/destroyed/);
  });
});
