import { createCpuBackend, Rng, ShapeError, type Tensor } from '@saekit/core';
import { describe, expect, it } from 'vitest';

const f32 = (...v: number[]) => Float32Array.from(v);
const i32 = (...v: number[]) => Int32Array.from(v);

describe('cpu backend: hand-checked kernels', () => {
  const be = createCpuBackend();
  const read = async (t: Tensor) => Array.from(await be.read(t));

  it('matmul handles every transpose with bias, alpha and accumulate', async () => {
    // a = [[1,2,3],[4,5,6]], b = [[1,0],[0,1],[1,1]]  → a·b = [[4,5],[10,11]]
    const a = be.create([2, 3], 'float32', f32(1, 2, 3, 4, 5, 6));
    const aT = be.create([3, 2], 'float32', f32(1, 4, 2, 5, 3, 6));
    const b = be.create([3, 2], 'float32', f32(1, 0, 0, 1, 1, 1));
    const bT = be.create([2, 3], 'float32', f32(1, 0, 1, 0, 1, 1));
    const out = be.create([2, 2]);
    for (const [x, y, transA, transB] of [
      [a, b, false, false],
      [a, bT, false, true],
      [aT, b, true, false],
      [aT, bT, true, true],
    ] as const) {
      be.matmul(out, x, y, { transA, transB });
      expect(await read(out)).toEqual([4, 5, 10, 11]);
    }
    const bias = be.create([2], 'float32', f32(1, -1));
    be.matmul(out, a, b, { bias, alpha: 2, accumulate: true });
    expect(await read(out)).toEqual([4 + 9, 5 + 9, 10 + 21, 11 + 21]);
    // 1-D a is the row vector [1, 3].
    const v = be.create([3], 'float32', f32(1, 1, 1));
    const o1 = be.create([2]);
    be.matmul(o1, v, b);
    expect(await read(o1)).toEqual([2, 2]);
  });

  it('topk: descending, ties to the lower index, mask with fewer candidates than k', async () => {
    const scores = be.create([2, 5], 'float32', f32(1, 3, 3, 2, 3, 0, -1, 5, 5, 4));
    const vals = be.create([2, 3]);
    const idx = be.create([2, 3], 'int32');
    be.topk(vals, idx, scores);
    expect(await read(vals)).toEqual([3, 3, 3, 5, 5, 4]);
    expect(await read(idx)).toEqual([1, 2, 4, 2, 3, 4]);
    const mask = be.create([5], 'float32', f32(1, 0, 0, 1, 0));
    be.topk(vals, idx, scores, mask);
    expect(await read(vals)).toEqual([2, 1, 0, 5, 0, 0]);
    expect(await read(idx)).toEqual([3, 0, -1, 3, 0, -1]);
  });

  it('sparse kernels skip empty (-1) slots and accumulate duplicates', async () => {
    const w = be.create([3, 2], 'float32', f32(1, 2, 3, 4, 5, 6));
    const values = be.create([2, 2], 'float32', f32(2, 100, 1, 1));
    const indices = be.create([2, 2], 'int32', i32(0, -1, 2, 2));
    const out = be.create([2, 2]);
    be.gatherSum(out, values, indices, w, be.create([2], 'float32', f32(10, 20)));
    expect(await read(out)).toEqual([12, 24, 20, 32]);
    const x = be.create([2, 2], 'float32', f32(1, 1, 1, -1));
    const dots = be.create([2, 2]);
    be.gatherDot(dots, x, indices, w);
    expect(await read(dots)).toEqual([3, 0, -1, -1]);
    be.scatterOuterAdd(w, indices, values, x);
    expect(await read(w)).toEqual([3, 4, 3, 4, 7, 4]);
    const m = be.create([3]);
    be.scatterAdd(m, indices, values);
    expect(await read(m)).toEqual([2, 0, 2]);
  });

  it('axpby broadcasts a row vector, aliases, and resolves device scales', async () => {
    const x = be.create([2, 3], 'float32', f32(1, 2, 3, 4, 5, 6));
    const row = be.create([3], 'float32', f32(1, 1, 1));
    const src = be.create([2], 'float32', f32(4, 0));
    be.axpby(x, 2, x, 1, row);
    expect(await read(x)).toEqual([3, 5, 7, 9, 11, 13]);
    be.axpby(x, { numerator: 1, source: src, index: 0, sqrt: true }, x, 0, x);
    expect(await read(x)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    be.axpby(x, { numerator: 1, source: src, index: 1 }, x, 0, x);
    expect(await read(x)).toEqual([0, 0, 0, 0, 0, 0]);
    be.write(x, f32(1, 1, 1, 1, 1, 1));
    be.axpby(x, { numerator: 8, source: src, index: 0, max: 0.5 }, x, 0, x);
    expect(await read(x)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('reductions honour offset and accumulate', async () => {
    const x = be.create([2, 2], 'float32', f32(1, 2, 3, 6));
    const out = be.create([3], 'float32', f32(10, 10, 10));
    be.reduce(out, 1, x, 'sum', true);
    be.reduce(out, 2, x, 'sumSquaresCentered');
    expect(await read(out)).toEqual([10, 22, 2 * 1 + 2 * 4]);
    const cs = be.create([2], 'float32', f32(1, 1));
    be.columnSums(cs, x, true);
    expect(await read(cs)).toEqual([5, 9]);
    be.kthLargest(out, 0, x, 2);
    expect((await read(out))[0]).toBe(3);
  });

  it('refuses bad shapes, dtypes and foreign tensors with a ShapeError naming the argument', () => {
    const a = be.create([2, 3]);
    const b = be.create([2, 3]);
    const out = be.create([2, 2]);
    expect(() => be.matmul(out, a, b)).toThrow(/matmul: inner dimensions/);
    expect(() => be.matmul(out, a, b, { transB: true, bias: be.create([3]) })).toThrow(/bias/);
    expect(() => be.topk(out, out, a)).toThrow(/topk: indices .* int32/);
    const other = createCpuBackend().create([2, 3]);
    expect(() => be.copy(a, other)).toThrow(ShapeError);
    expect(() => be.copy(a, other)).toThrow(/copy: src belongs to another/);
    be.dispose(b);
    expect(() => be.fill(b, 0)).toThrow(/fill: out has been disposed/);
    const idx = be.create([1, 1], 'int32', i32(3));
    expect(() => be.gatherDot(be.create([1, 1]), be.create([1, 3]), idx, a)).toThrow(
      /gatherDot: indices\[0\] = 3/,
    );
  });

  it('is deterministic: a training-like step run twice gives bit-identical results', async () => {
    // Every kernel of a Top-K step, on a fresh backend and on one whose scratch buffers are
    // already dirty from an earlier step on other data.
    const run = async (c: ReturnType<typeof createCpuBackend>, seed = 7) => {
      const rng = new Rng(seed);
      const [B, d, m, k] = [67, 33, 129, 5];
      const x = c.create([B, d], 'float32', rng.fillNormal(new Float32Array(B * d)));
      const w = c.create([m, d], 'float32', rng.fillNormal(new Float32Array(m * d)));
      const bEnc = c.create([m], 'float32', rng.fillNormal(new Float32Array(m)));
      const pre = c.create([B, m]);
      const vals = c.create([B, k]);
      const idx = c.create([B, k], 'int32');
      const recon = c.create([B, d]);
      const dots = c.create([B, k]);
      const gW = c.create([m, d]);
      const gB = c.create([m]);
      const metrics = c.create([3]);
      const [am, av] = [c.create([m, d]), c.create([m, d])];
      c.matmul(pre, x, w, { transB: true, bias: bEnc });
      c.topk(vals, idx, pre);
      c.gatherSum(recon, vals, idx, w);
      c.axpby(recon, 1, recon, -1, x);
      c.reduce(metrics, 0, recon, 'sumSquares');
      c.reduce(metrics, 1, x, 'sumSquaresCentered');
      c.gatherDot(dots, recon, idx, w);
      c.scatterOuterAdd(gW, idx, vals, recon);
      c.scatterAdd(gB, idx, dots);
      c.kthLargest(metrics, 2, pre, B);
      c.removeParallel(gW, w);
      c.adam(w, gW, am, av, {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 6.25e-10,
        step: 1,
        gradScale: { numerator: 1, source: metrics, index: 1 },
      });
      c.normalizeRows(w);
      return Promise.all([w, gB, metrics, idx].map((t) => c.read(t)));
    };
    const first = await run(createCpuBackend());
    const reused = createCpuBackend();
    await run(reused, 8);
    const second = await run(reused);
    for (let i = 0; i < first.length; i++) {
      expect(
        Buffer.from(second[i].buffer).equals(Buffer.from(first[i].buffer)),
        `output ${i}`,
      ).toBe(true);
    }
  });
});
