import type { ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/**
 * More rows than a GPU may dispatch workgroups along one dimension (65 535): a backend that
 * launches one workgroup per row with a 1-D grid silently drops the tail. Small widths keep
 * the cases cheap.
 */
const ROWS = 70_001;

export const manyRowsCases: ConformanceGroup = {
  name: 'many rows: more than 65 535 rows',
  cases: [
    {
      name: 'matmul, topk, gathers and scatters over 70 001 rows',
      async run(ctx) {
        const r = ctx.random;
        const [d, m, k] = [3, 17, 2];
        const x = r.normal(ROWS * d);
        const w = r.normal(m * d);
        const tx = ctx.f32([ROWS, d], x);
        const tw = ctx.f32([m, d], w);

        const pre = ctx.f32([ROWS, m], new Float32Array(ROWS * m));
        ctx.backend.matmul(pre, tx, tw, { transB: true });
        const preHost = await ctx.read(pre);
        ctx.expectCloseHost(
          'matmul x·Wᵀ',
          preHost,
          oracle.matmul(
            { data: x, rows: ROWS, cols: d },
            { data: w, rows: m, cols: d },
            { transB: true },
          ),
          [ROWS, m],
        );

        const vals = ctx.f32([ROWS, k], new Float32Array(ROWS * k));
        const idx = ctx.i32([ROWS, k], new Int32Array(ROWS * k));
        ctx.backend.topk(vals, idx, pre);
        const want = oracle.topk({ data: preHost, rows: ROWS, cols: m }, k);
        await ctx.expectExact('topk indices', idx, want.indices);
        await ctx.expectExact('topk values', vals, want.values);

        const code = { values: r.normal(ROWS * k), indices: r.indices(ROWS, k, m), rows: ROWS, k };
        const tv = ctx.f32([ROWS, k], code.values);
        const ti = ctx.i32([ROWS, k], code.indices);
        const sum = ctx.f32([ROWS, d], new Float32Array(ROWS * d));
        ctx.backend.gatherSum(sum, tv, ti, tw);
        await ctx.expectClose(
          'gatherSum',
          sum,
          oracle.gatherSum(code, { data: w, rows: m, cols: d }),
        );
        const dots = ctx.f32([ROWS, k], new Float32Array(ROWS * k));
        ctx.backend.gatherDot(dots, tx, ti, tw);
        await ctx.expectClose(
          'gatherDot',
          dots,
          oracle.gatherDot({ data: x, rows: ROWS, cols: d }, code.indices, k, {
            data: w,
            rows: m,
            cols: d,
          }),
        );
        ctx.backend.scatterOuterAdd(tw, ti, tv, tx);
        await ctx.expectClose(
          'scatterOuterAdd',
          tw,
          oracle.scatterOuterAdd({ data: w, rows: m, cols: d }, code, {
            data: x,
            rows: ROWS,
            cols: d,
          }),
        );
      },
    },
    {
      name: 'columnSums and reduce over 70 001 rows',
      async run(ctx) {
        const C = 3;
        const x = ctx.random.normal(ROWS * C, 1, 2);
        const tx = ctx.f32([ROWS, C], x);
        const cs = ctx.f32([C], new Float32Array(C));
        ctx.backend.columnSums(cs, tx);
        await ctx.expectClose(
          'columnSums',
          cs,
          oracle.columnSums({ data: x, rows: ROWS, cols: C }),
        );
        const out = ctx.f32([1], new Float32Array(1));
        ctx.backend.reduce(out, 0, tx, 'sumSquaresCentered');
        await ctx.expectClose(
          'reduce sumSquaresCentered',
          out,
          oracle.reduce({ data: x, rows: ROWS, cols: C }, 'sumSquaresCentered'),
        );
      },
    },
  ],
};
