// The thread pool: how work is split, that splitting changes no result (every pooled kernel is
// bitwise the same on 1, 2 and 3 threads, and the split really happens), and that a part that
// fails on a worker becomes an error instead of a hang.
import { type Backend, createCpuBackend, Rng, type Tensor } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { Heap } from '../src/heap.js';
import { createOnnxruntimeBackend, type OnnxruntimeBackend } from '../src/index.js';
import { ROW_WALK_WEIGHT_BYTES, slotBalancedRows } from '../src/kernels/slot-buckets.js';
import { split, ThreadPool } from '../src/pool/thread-pool.js';
import { instantiateKernels, kernelsModule, WASM_KERNEL_NAMES } from '../src/wasm.js';

describe('split', () => {
  it('covers [0, n) in aligned, ordered ranges, one per thread with enough work', () => {
    const r = split(1000, 3, 10, 16);
    expect(r.length).toBe(3);
    expect(r[0][0]).toBe(0);
    expect(r[r.length - 1][1]).toBe(1000);
    for (let i = 1; i < r.length; i++) expect(r[i][0]).toBe(r[i - 1][1]);
    for (const [from] of r) expect(from % 16).toBe(0);
  });

  it('keeps small work on one thread, and gives nothing for nothing', () => {
    expect(split(100, 4, 64)).toEqual([[0, 100]]);
    expect(split(128, 4, 64)).toEqual([
      [0, 64],
      [64, 128],
    ]);
    expect(split(0, 4, 1)).toEqual([]);
  });
});

describe('slotBalancedRows', () => {
  it('splits rows so that each part holds about the same number of slots', () => {
    // 8 rows; row 1 holds 90 of the 100 slots.
    const counts = [2, 90, 1, 1, 2, 2, 1, 1];
    const start = new Int32Array(9);
    counts.forEach((c, r) => {
      start[r + 1] = start[r] + c;
    });
    const parts = slotBalancedRows(start, 8, 2);
    expect(parts).toEqual([
      [0, 2],
      [2, 8],
    ]);
    expect(slotBalancedRows(start, 8, 1)).toEqual([[0, 8]]);
    // Every row is covered once whatever the count.
    const three = slotBalancedRows(start, 8, 3);
    expect(three[0][0]).toBe(0);
    expect(three[three.length - 1][1]).toBe(8);
  });
});

/** Runs every pooled kernel once on shapes that split, returning every output's bytes. */
async function pooledOutputs(b: Backend): Promise<Record<string, Float32Array | Int32Array>> {
  const rng = new Rng(11);
  const [B, m, d, k] = [700, 3000, 102, 24]; // d: 3 SIMD blocks of 32 and a ragged tail
  const f = (shape: number[], scale = 1) =>
    b.create(
      shape,
      'float32',
      rng.fillNormal(new Float32Array(shape.reduce((x, y) => x * y)), scale),
    );
  const idxData = Int32Array.from({ length: B * k }, (_, i) => (i % 7 === 3 ? -1 : rng.int(m)));
  const idx = b.create([B, k], 'int32', idxData);
  const x = f([B, d]);
  const w = f([m, d]);
  const vals = f([B, k]);
  const bias = f([d]);
  const scores = f([B, m]);
  const mask = b.create(
    [m],
    'float32',
    Float32Array.from({ length: m }, (_, i) => (i % 5 === 0 ? 1 : 0)),
  );
  // A weight past ROW_WALK_WEIGHT_BYTES: the gathers walk it row by row.
  const [mBig, dBig] = [Math.ceil(ROW_WALK_WEIGHT_BYTES / 4 / 166) + 7, 166]; // 5 blocks of 32 and a tail
  const wBig = f([mBig, dBig]);
  const idxBig = b.create(
    [B, k],
    'int32',
    // Row 3 is named by every fifth slot: one bucket of thousands of slots (many groups).
    Int32Array.from({ length: B * k }, (_, i) =>
      i % 7 === 3 ? -1 : i % 5 === 0 ? 3 : rng.int(mBig),
    ),
  );
  const out: Record<string, Tensor> = {
    gatherSumRows: b.create([B, dBig]),
    // Stale values where the row walk must write zeros (empty slots).
    gatherDotRows: b.create([B, k], 'float32', new Float32Array(B * k).fill(7)),
    gatherSum: b.create([B, d]),
    gatherDot: b.create([B, k]),
    topkValues: b.create([B, k]),
    topkIndices: b.create([B, k], 'int32'),
    maskedValues: b.create([B, k]),
    maskedIndices: b.create([B, k], 'int32'),
    scatter: f([m, d]),
    adamP: f([m, d]),
    adamM: f([m, d], 0.1),
    adamV: b.create([m, d], 'float32', new Float32Array(m * d).fill(0.01)),
    axpby: b.create([m, d]),
    axpbyRow: b.create([m, d]),
    normalized: f([m, d]),
    removed: f([m, d]),
    product: b.create([B, m]),
    centered: b.create([2]),
    masked: b.create([m, d]),
    filled: b.create([m, d]),
    columns: b.create([d]),
    scattered: f([m]),
  };
  b.gatherSum(out.gatherSumRows, vals, idxBig, wBig, f([dBig]));
  b.gatherDot(out.gatherDotRows, f([B, dBig]), idxBig, wBig);
  b.gatherSum(out.gatherSum, vals, idx, w, bias);
  b.gatherDot(out.gatherDot, x, idx, w);
  b.topk(out.topkValues, out.topkIndices, scores);
  b.topk(out.maskedValues, out.maskedIndices, scores, mask);
  b.scatterOuterAdd(out.scatter, idx, vals, x);
  b.adam(out.adamP, w, out.adamM, out.adamV, {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    step: 3,
  });
  b.axpby(out.axpby, 0.5, w, -2, out.scatter);
  b.axpby(out.axpbyRow, 1.5, w, 0.25, bias);
  b.normalizeRows(out.normalized);
  b.removeParallel(out.removed, w);
  b.matmul(out.product, x, w, { transB: true, bias: f([m]) });
  b.reduce(out.centered, 1, w, 'sumSquaresCentered');
  b.reduce(out.centered, 0, out.scatter, 'sumSquares');
  b.maskPositive(out.masked, w, out.scatter);
  b.fill(out.filled, -2.5);
  b.columnSums(out.columns, w);
  b.columnSums(out.columns, out.scatter, true);
  b.scatterAdd(out.scattered, idx, vals);
  const result: Record<string, Float32Array | Int32Array> = {};
  for (const [name, t] of Object.entries(out)) result[name] = await b.read(t);
  return result;
}

describe('pooled kernels', () => {
  it('give bitwise the same results on 1, 2 and 3 threads, and really split', async () => {
    const results: Record<string, Float32Array | Int32Array>[] = [];
    for (const threads of [1, 2, 3]) {
      const b: OnnxruntimeBackend = createOnnxruntimeBackend({ threads });
      try {
        results.push(await pooledOutputs(b));
        // Every pooled kernel above splits on 2+ threads (and matmul's bias fill where CBLAS
        // runs the product).
        const split = b.parallelCalls();
        if (threads === 1) expect(split).toEqual({});
        else {
          expect(split).toMatchObject({
            gather_sum: 1,
            gather_dot: 1,
            gather_sum_rows: 1,
            gather_dot_rows: 1,
            topk_rows: 1,
            topk_rows_listed: 1,
            scatter_outer_add: 1,
            adam: 1,
            axpby: 2,
            normalize_rows: 1,
            remove_parallel: 1,
            column_sums_f64: 3,
            reduce_blocks: 1,
            mask_positive: 1,
            fill_words: 1,
            centered_squares_f64: 1,
          });
          if (b.gemm.variant === 'cblas') expect(split.fill_rows).toBe(1);
        }
      } finally {
        await b.destroy();
      }
    }
    for (const name of Object.keys(results[0])) {
      for (const other of results.slice(1)) {
        expect(
          Buffer.from(other[name].buffer).equals(Buffer.from(results[0][name].buffer)),
          name,
        ).toBe(true);
      }
    }
  });

  it('match the cpu backend, the row walks of large weights included', async () => {
    const cpu = createCpuBackend();
    const b = createOnnxruntimeBackend({ threads: 2 });
    try {
      const [want, got] = [await pooledOutputs(cpu), await pooledOutputs(b)];
      for (const name of ['gatherSumRows', 'gatherDotRows', 'gatherSum', 'gatherDot', 'scatter']) {
        const [g, w] = [got[name], want[name]];
        let worst = 0;
        for (let i = 0; i < w.length; i++) {
          worst = Math.max(worst, Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i])));
        }
        expect(worst, name).toBeLessThan(1e-5);
      }
    } finally {
      await b.destroy();
      await cpu.destroy();
    }
  });

  it('turns a part that fails on a worker into an error instead of waiting forever', async () => {
    const heap = new Heap();
    const pool = new ThreadPool(
      2,
      kernelsModule(),
      heap.memory,
      instantiateKernels(heap.memory),
      WASM_KERNEL_NAMES,
    );
    try {
      const at = heap.alloc(64);
      // Part 1 points far past the heap's end: the worker's wasm traps.
      expect(() =>
        pool.run('fill_rows', [
          [at, at, 1, 4],
          [2 ** 31, at, 1, 4],
        ]),
      ).toThrow(/fill_rows: part 1 failed on its worker thread/);
      // The pool still works afterwards.
      pool.run('fill_rows', [
        [at, at, 1, 4],
        [at, at, 1, 4],
      ]);
    } finally {
      await pool.destroy();
    }
  });
});
