import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/** [B, k, m, d]: ragged batch, k = 1 and k = m, widths around the tile sizes. */
const SHAPES: readonly [number, number, number, number][] = [
  [1, 1, 1, 1],
  [3, 1, 17, 5],
  [17, 5, 63, 65],
  [9, 33, 33, 17],
  [33, 32, 257, 63],
  [5, 4, 1025, 257],
];

/** A code with duplicates within rows and about a fifth of its slots empty (−1). */
function code(ctx: CaseContext, B: number, k: number, m: number, empty = 0.2) {
  return {
    values: ctx.random.normal(B * k),
    indices: ctx.random.indices(B, k, m, empty),
    rows: B,
    k,
  };
}

async function checkScatterOuterAdd(
  ctx: CaseContext,
  [B, k, m, d]: readonly [number, number, number, number],
  empty: number,
): Promise<void> {
  const c = code(ctx, B, k, m, empty);
  const x = ctx.random.normal(B * d);
  const w = ctx.random.normal(m * d);
  const tw = ctx.f32([m, d], w);
  const ti = ctx.i32([B, k], c.indices);
  ctx.backend.scatterOuterAdd(tw, ti, ctx.f32([B, k], c.values), ctx.f32([B, d], x));
  const want = oracle.scatterOuterAdd({ data: w, rows: m, cols: d }, c, {
    data: x,
    rows: B,
    cols: d,
  });
  await ctx.expectClose(`B=${B} k=${k} m=${m} d=${d}`, tw, want);
}

export const sparseCases: ConformanceGroup = {
  name: 'sparse: gatherSum / gatherDot / scatterOuterAdd / scatterAdd',
  cases: [
    {
      name: 'gatherSum with and without bias, empty slots read as zero',
      async run(ctx) {
        for (const [B, k, m, d] of SHAPES) {
          const c = code(ctx, B, k, m);
          const w = ctx.random.normal(m * d);
          const bias = ctx.random.normal(d);
          const tw = ctx.f32([m, d], w);
          const tv = ctx.f32([B, k], c.values);
          const ti = ctx.i32([B, k], c.indices);
          const out = ctx.f32([B, d], ctx.random.normal(B * d));
          ctx.backend.gatherSum(out, tv, ti, tw);
          await ctx.expectClose(
            `no bias B=${B} k=${k} m=${m} d=${d}`,
            out,
            oracle.gatherSum(c, { data: w, rows: m, cols: d }),
          );
          ctx.backend.gatherSum(out, tv, ti, tw, ctx.f32([d], bias));
          await ctx.expectClose(
            `bias B=${B} k=${k} m=${m} d=${d}`,
            out,
            oracle.gatherSum(c, { data: w, rows: m, cols: d }, bias),
          );
        }
      },
    },
    {
      name: 'gatherSum: a row of only empty slots is the bias; a code of all −1 is all bias',
      async run(ctx) {
        const [B, k, m, d] = [4, 3, 17, 33];
        const c = code(ctx, B, k, m, 1);
        const w = ctx.random.normal(m * d);
        const bias = ctx.random.normal(d);
        const out = ctx.f32([B, d], ctx.random.normal(B * d));
        ctx.backend.gatherSum(
          out,
          ctx.f32([B, k], c.values),
          ctx.i32([B, k], c.indices),
          ctx.f32([m, d], w),
          ctx.f32([d], bias),
        );
        await ctx.expectClose(
          'all empty',
          out,
          oracle.gatherSum(c, { data: w, rows: m, cols: d }, bias),
        );
      },
    },
    {
      name: 'gatherDot, empty slots give 0',
      async run(ctx) {
        for (const [B, k, m, d] of SHAPES) {
          const idx = ctx.random.indices(B, k, m);
          const x = ctx.random.normal(B * d);
          const w = ctx.random.normal(m * d);
          const out = ctx.f32([B, k], ctx.random.normal(B * k));
          ctx.backend.gatherDot(out, ctx.f32([B, d], x), ctx.i32([B, k], idx), ctx.f32([m, d], w));
          await ctx.expectClose(
            `B=${B} k=${k} m=${m} d=${d}`,
            out,
            oracle.gatherDot({ data: x, rows: B, cols: d }, idx, k, { data: w, rows: m, cols: d }),
          );
        }
      },
    },
    {
      name: 'scatterOuterAdd accumulates duplicates and skips empty slots',
      async run(ctx) {
        for (const shape of SHAPES) await checkScatterOuterAdd(ctx, shape, 0.2);
      },
    },
    {
      name: 'scatterOuterAdd with heavy duplicates (many tokens into 3 rows)',
      async run(ctx) {
        await checkScatterOuterAdd(ctx, [257, 4, 3, 65], 0.1);
      },
    },
    {
      name: 'scatterAdd accumulates duplicates and skips empty slots, [B, k] and 1-D indices',
      async run(ctx) {
        for (const [B, k, m] of [
          [1, 1, 1],
          [17, 5, 3],
          [257, 33, 65],
          [65, 17, 1025],
        ] as const) {
          const c = code(ctx, B, k, m);
          const prior = ctx.random.normal(m);
          const out = ctx.f32([m], prior);
          ctx.backend.scatterAdd(out, ctx.i32([B, k], c.indices), ctx.f32([B, k], c.values));
          await ctx.expectClose(
            `B=${B} k=${k} m=${m}`,
            out,
            oracle.scatterAdd(prior, c.indices, c.values),
          );
        }
        const idx = ctx.random.indices(1, 100, 7);
        const vals = ctx.random.normal(100);
        const prior = ctx.random.normal(7);
        const out = ctx.f32([7], prior);
        ctx.backend.scatterAdd(out, ctx.i32([100], idx), ctx.f32([100], vals));
        await ctx.expectClose('1-D indices', out, oracle.scatterAdd(prior, idx, vals));
      },
    },
  ],
};
