// Hand-checked cases for the kernels whose tfjs mapping has traps (empty slots, ties, masks,
// duplicate scatters, device scalars). The full float64-oracle sweep is the conformance suite.
import type { Backend, HostArray, Tensor } from '@saekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../src/index.js';

const close = (got: HostArray, want: number[], tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  for (const [i, w] of want.entries()) {
    expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
  }
};

describe.each(['cpu', 'wasm'] as const)('tfjs %s kernels', (kind) => {
  let be: TfjsBackend;
  beforeAll(async () => {
    be = await createTfjsBackend({ prefer: [kind] });
  });
  afterAll(() => be.destroy());
  const f32 = (shape: number[], data: number[]) =>
    be.create(shape, 'float32', Float32Array.from(data));
  const i32 = (shape: number[], data: number[]) => be.create(shape, 'int32', Int32Array.from(data));
  const read = (t: Tensor) => (be as Backend).read(t);

  it('runs on the requested tfjs backend', () => {
    expect(be.choice.kind).toBe(kind);
    expect(be.choice.skipped).toEqual([]);
  });

  it('topk breaks ties by lower index and fills slots past the mask candidates', async () => {
    const scores = f32([2, 6], [1, 3, 3, 0, 3, 2, 5, 5, 5, 5, 5, 5]);
    const v = be.create([2, 3]);
    const i = be.create([2, 3], 'int32');
    be.topk(v, i, scores);
    close(await read(v), [3, 3, 3, 5, 5, 5]);
    expect(Array.from(await read(i))).toEqual([1, 2, 4, 0, 1, 2]);
    const mask = f32([6], [0, 0, 0, 1, 0, 1]);
    be.topk(v, i, scores, mask);
    expect(Array.from(await read(i))).toEqual([5, 3, -1, 3, 5, -1]);
    close(await read(v), [2, 0, 0, 5, 5, 0]);
  });

  it('gatherSum and gatherDot read empty slots as zero', async () => {
    const w = f32([3, 2], [1, 2, 10, 20, 100, 200]);
    const vals = f32([2, 2], [1, 7, 0.5, 2]);
    const idx = i32([2, 2], [2, -1, 0, 0]);
    const out = be.create([2, 2]);
    be.gatherSum(out, vals, idx, w, f32([2], [0.25, -0.25]));
    close(await read(out), [100.25, 199.75, 2.75, 4.75]);
    const x = f32([2, 2], [1, 1, 2, -1]);
    const dots = be.create([2, 2]);
    be.gatherDot(dots, x, idx, w);
    close(await read(dots), [300, 0, 0, 0]);
  });

  it('scatterOuterAdd accumulates duplicates and skips empty slots', async () => {
    const w = f32([3, 2], [0, 0, 1, 1, 0, 0]);
    const idx = i32([2, 2], [1, 1, -1, 2]);
    const vals = f32([2, 2], [1, 2, 9, 3]);
    const x = f32([2, 2], [1, -1, 2, 4]);
    be.scatterOuterAdd(w, idx, vals, x);
    close(await read(w), [0, 0, 4, -2, 6, 12]);
    const b = f32([3], [0, 0, 0]);
    be.scatterAdd(b, idx, vals);
    close(await read(b), [0, 3, 3]);
  });

  it('axpby takes a device scale that is zero when its source is not positive', async () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    const y = f32([2], [10, 20]);
    const s = f32([2], [4, 0]);
    const out = be.create([2, 2]);
    be.axpby(out, { numerator: 2, source: s, index: 0, sqrt: true }, x, 1, y);
    close(await read(out), [11, 22, 13, 24]);
    be.axpby(out, { numerator: 2, source: s, index: 1 }, x, -1, y);
    close(await read(out), [-10, -20, -10, -20]);
  });

  it('matmul handles every transpose, alpha, bias and accumulate', async () => {
    // a [2,3], b [3,2]; their transposes stored explicitly for the trans cases.
    const A = [1, 2, 3, 4, 5, 6];
    const Bm = [1, -1, 0, 2, 3, 1];
    const ab = [10, 6, 22, 12];
    const aT = f32([3, 2], [1, 4, 2, 5, 3, 6]);
    const bT = f32([2, 3], [1, 0, 3, -1, 2, 1]);
    const a = f32([2, 3], A);
    const b = f32([3, 2], Bm);
    const out = f32([2, 2], [1, 1, 1, 1]);
    for (const [x, y, transA, transB] of [
      [a, b, false, false],
      [aT, b, true, false],
      [a, bT, false, true],
      [aT, bT, true, true],
    ] as const) {
      be.matmul(out, x, y, { transA, transB });
      close(await read(out), ab);
    }
    be.matmul(out, aT, bT, { transA: true, transB: true, alpha: 0.5, bias: f32([2], [1, -1]) });
    close(await read(out), [6, 2, 12, 5]);
    be.matmul(out, a, bT, { transB: true, accumulate: true });
    close(await read(out), [16, 8, 34, 17]);
  });

  it('adam matches the PyTorch update', async () => {
    const p = f32([2], [1, -1]);
    const g = f32([2], [0.5, -2]);
    const m = f32([2], [0.1, 0]);
    const v = f32([2], [0.01, 0]);
    const opt = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 2 };
    be.adam(p, g, m, v, opt);
    const want = [1, -1].map((p0, j) => {
      const gj = [0.5, -2][j];
      const mj = 0.9 * [0.1, 0][j] + 0.1 * gj;
      const vj = 0.999 * [0.01, 0][j] + 0.001 * gj * gj;
      return p0 - (0.1 * (mj / (1 - 0.9 ** 2))) / (Math.sqrt(vj / (1 - 0.999 ** 2)) + 1e-8);
    });
    close(await read(p), want);
  });

  it('reduce and kthLargest write one element and leave the rest', async () => {
    const x = f32([2, 2], [1, 2, 3, 6]);
    const out = f32([3], [7, 7, 7]);
    be.reduce(out, 1, x, 'sumSquaresCentered');
    be.reduce(out, 2, x, 'sum', true);
    be.kthLargest(out, 0, x, 2);
    close(await read(out), [3, 1 + 4 + 1 + 4, 19]);
  });
});
