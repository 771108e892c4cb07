import type { ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/**
 * A weight matrix just over 128 MiB (the storage-binding limit of WebGPU on llvmpipe), so a
 * backend that splits big tensors over several bindings proves the split is seamless: the
 * rows on either side of the 128 MiB boundary, and the row straddling it, are all touched.
 */
const D = 257;
const M = 131_101;
const BOUNDARY_ROW = Math.floor((128 * 1024 * 1024) / 4 / D);
const ROWS = [0, 1, BOUNDARY_ROW - 1, BOUNDARY_ROW, BOUNDARY_ROW + 1, M - 2, M - 1];

/** Cheap deterministic fill in [−0.5, 0.5): drawing 33 M normals would dominate the case. */
function bigWeight(): Float32Array {
  const w = new Float32Array(M * D);
  for (let i = 0; i < w.length; i++) w[i] = (Math.imul(i + 1, 0x9e3779b1) >>> 0) / 4294967296 - 0.5;
  return w;
}

function rowsOf(w: ArrayLike<number>, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * D);
  rows.forEach((r, i) => {
    for (let c = 0; c < D; c++) out[i * D + c] = w[r * D + c];
  });
  return out;
}

export const largeCases: ConformanceGroup = {
  name: 'large: a weight matrix over 128 MiB',
  cases: [
    {
      name: 'elementwise kernels over 33.7 M elements (more than 65 535 × 256)',
      large: true,
      async run(ctx) {
        const w = bigWeight();
        const tw = ctx.f32([M, D], w);
        const grad = ctx.f32([M, D], new Float32Array(M * D));
        ctx.backend.copy(grad, tw);
        // grad = 2·w − 0.5·row(D): a broadcast over every row of the big matrix.
        const row = ctx.random.normal(D);
        ctx.backend.axpby(grad, 2, grad, -0.5, ctx.f32([D], row));
        const m = ctx.f32([M, D], new Float32Array(M * D));
        const v = ctx.f32([M, D], new Float32Array(M * D));
        const opts = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 6.25e-10, step: 1 } as const;
        ctx.backend.adam(tw, grad, m, v, opts);
        // Rows are independent, so the boundary rows alone are checked against the oracle.
        const wRows = rowsOf(w, ROWS);
        const gWant = oracle.axpby(2, wRows, -0.5, row);
        ctx.expectCloseHost('axpby (boundary rows)', rowsOf(await ctx.read(grad), ROWS), gWant, [
          ROWS.length,
          D,
        ]);
        const zeros = new Float64Array(wRows.length);
        const want = oracle.adam(
          { param: Float64Array.from(wRows), m: zeros, v: zeros },
          Float32Array.from(gWant.ref),
          { ...opts, gradScale: 1 },
        );
        ctx.expectCloseHost(
          'adam param (boundary rows)',
          rowsOf(await ctx.read(tw), ROWS),
          want.param,
          [ROWS.length, D],
        );
        ctx.expectCloseHost('adam v (boundary rows)', rowsOf(await ctx.read(v), ROWS), want.v, [
          ROWS.length,
          D,
        ]);
      },
    },
    {
      name: 'gathers, scatters, matmul and normalizeRows across the 128 MiB boundary',
      large: true,
      async run(ctx) {
        const w = bigWeight();
        const tw = ctx.f32([M, D], w);
        const B = ROWS.length;
        const k = 2;
        // Row b gathers ROWS[b] and one other boundary row; slot 1 of the last row is empty.
        const idx = Int32Array.from({ length: B * k }, (_, s) =>
          s % 2 === 0 ? ROWS[s >> 1] : (ROWS[(s >> 1) ^ 1] ?? -1),
        );
        idx[B * k - 1] = -1;
        const vals = ctx.random.normal(B * k);
        const x = ctx.random.normal(B * D);
        // The same code over a compact copy of the touched rows: local row i ↔ ROWS[i].
        const local = rowsOf(w, ROWS);
        const localIdx = Int32Array.from(idx, (r) => (r < 0 ? -1 : ROWS.indexOf(r)));
        const code = { values: vals, indices: localIdx, rows: B, k };
        const ti = ctx.i32([B, k], idx);
        const tv = ctx.f32([B, k], vals);
        const tx = ctx.f32([B, D], x);

        const sum = ctx.f32([B, D], new Float32Array(B * D));
        ctx.backend.gatherSum(sum, tv, ti, tw);
        await ctx.expectClose(
          'gatherSum',
          sum,
          oracle.gatherSum(code, { data: local, rows: ROWS.length, cols: D }),
        );

        const dots = ctx.f32([B, k], new Float32Array(B * k));
        ctx.backend.gatherDot(dots, tx, ti, tw);
        await ctx.expectClose(
          'gatherDot',
          dots,
          oracle.gatherDot({ data: x, rows: B, cols: D }, localIdx, k, {
            data: local,
            rows: ROWS.length,
            cols: D,
          }),
        );

        const pre = ctx.f32([2, M], new Float32Array(2 * M));
        ctx.backend.matmul(pre, ctx.f32([2, D], x.subarray(0, 2 * D)), tw, { transB: true });
        await ctx.expectClose(
          'matmul x·Wᵀ',
          pre,
          oracle.matmul(
            { data: x.subarray(0, 2 * D), rows: 2, cols: D },
            { data: w, rows: M, cols: D },
            { transB: true },
          ),
        );

        ctx.backend.scatterOuterAdd(tw, ti, tv, tx);
        const after = await ctx.read(tw);
        const want = oracle.scatterOuterAdd({ data: local, rows: ROWS.length, cols: D }, code, {
          data: x,
          rows: B,
          cols: D,
        });
        ctx.expectCloseHost('scatterOuterAdd (touched rows)', rowsOf(after, ROWS), want, [
          ROWS.length,
          D,
        ]);
        const untouched = [2, BOUNDARY_ROW - 2, BOUNDARY_ROW + 2, M - 3];
        ctx.expectExactHost(
          'rows scatterOuterAdd does not touch',
          rowsOf(after, untouched),
          rowsOf(w, untouched),
          [untouched.length, D],
        );

        ctx.backend.normalizeRows(tw);
        const normed = rowsOf(await ctx.read(tw), ROWS);
        const wantNorm = oracle.normalizeRows({
          data: rowsOf(after, ROWS),
          rows: ROWS.length,
          cols: D,
        });
        ctx.expectCloseHost('normalizeRows (boundary rows)', normed, wantNorm, [ROWS.length, D]);
      },
    },
  ],
};
