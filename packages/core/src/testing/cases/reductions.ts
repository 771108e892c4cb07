import type { ReduceOp } from '../../backend/backend.js';
import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';
import type { Expected } from '../tolerance.js';

const SHAPES: readonly [number, number][] = [
  [1, 1],
  [1, 17],
  [3, 65],
  [257, 17],
  [63, 257],
  [4099, 3],
];

const OPS: readonly ReduceOp[] = ['sum', 'sumSquares', 'sumSquaresCentered'];

export const reductionCases: ConformanceGroup = {
  name: 'reductions: columnSums / reduce',
  cases: [
    {
      name: 'columnSums, with and without accumulate',
      async run(ctx) {
        for (const [R, C] of SHAPES) {
          const x = ctx.random.normal(R * C);
          const prior = ctx.random.normal(C);
          const tx = ctx.f32([R, C], x);
          const out = ctx.f32([C], prior);
          ctx.backend.columnSums(out, tx);
          await ctx.expectClose(
            `[${R}, ${C}]`,
            out,
            oracle.columnSums({ data: x, rows: R, cols: C }),
          );
          ctx.backend.write(out, prior);
          ctx.backend.columnSums(out, tx, true);
          await ctx.expectClose(
            `[${R}, ${C}] accumulate`,
            out,
            oracle.columnSums({ data: x, rows: R, cols: C }, prior),
          );
        }
        // A 1-D x is one row: its column sums are itself.
        const v = ctx.random.normal(33);
        const out = ctx.f32([33], ctx.random.normal(33));
        ctx.backend.columnSums(out, ctx.f32([33], v));
        await ctx.expectClose('1-D x', out, oracle.columnSums({ data: v, rows: 1, cols: 33 }));
      },
    },
    ...OPS.map((op) => ({
      name: `reduce '${op}' at an offset, with and without accumulate; other elements untouched`,
      async run(ctx: CaseContext) {
        for (const [R, C] of SHAPES) {
          // A non-zero mean makes the centred sum differ from the plain one.
          const x = ctx.random.normal(R * C, 1, 3);
          const tx = ctx.f32([R, C], x);
          const prior = Float32Array.from([5, -7, 9, 1.5]);
          const out = ctx.f32([4], prior);
          ctx.backend.reduce(out, 2, tx, op);
          const plain = oracle.reduce({ data: x, rows: R, cols: C }, op);
          await ctx.expectClose(`[${R}, ${C}] into out[2]`, out, withPrior(prior, 2, plain));
          ctx.backend.write(out, prior);
          ctx.backend.reduce(out, 1, tx, op, true);
          const acc = oracle.reduce({ data: x, rows: R, cols: C }, op, prior[1]);
          await ctx.expectClose(
            `[${R}, ${C}] accumulated into out[1]`,
            out,
            withPrior(prior, 1, acc),
          );
        }
      },
    })),
    {
      name: "reduce 'sumSquaresCentered' of a 1-D tensor (one row) is 0; of a column it is the variance sum",
      async run(ctx) {
        const v = ctx.random.normal(65, 2, 5);
        const out = ctx.f32([2], Float32Array.from([3, 3]));
        ctx.backend.reduce(out, 0, ctx.f32([65], v), 'sumSquaresCentered');
        ctx.backend.reduce(out, 1, ctx.f32([65, 1], v), 'sumSquaresCentered');
        const col = oracle.reduce({ data: v, rows: 65, cols: 1 }, 'sumSquaresCentered');
        await ctx.expectClose('row then column', out, {
          ref: Float64Array.from([0, col.ref[0]]),
          magnitude: Float64Array.from([0, col.magnitude[0]]),
          terms: 65,
        });
      },
    },
  ],
};

/** The expected out tensor: the prior values with one element replaced by the reduction. */
function withPrior(prior: Float32Array, offset: number, e: Expected): Expected {
  const ref = Float64Array.from(prior);
  const magnitude = Float64Array.from(prior, Math.abs);
  const terms = new Float64Array(prior.length).fill(1);
  ref[offset] = e.ref[0];
  magnitude[offset] = e.magnitude[0];
  terms[offset] = typeof e.terms === 'number' ? e.terms : e.terms[0];
  return { ref, magnitude, terms };
}
