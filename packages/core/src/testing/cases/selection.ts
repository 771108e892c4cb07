import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/**
 * Top-k and kthLargest only compare and copy their float32 inputs, so their results are exact:
 * values and indices must equal the oracle's bit for bit, ties included (see tolerance.ts).
 */
export async function checkTopk(
  ctx: CaseContext,
  label: string,
  B: number,
  m: number,
  k: number,
  scores: Float32Array,
  mask?: Float32Array,
): Promise<void> {
  // Outputs start as junk so a kernel that leaves a slot unwritten is caught.
  const values = ctx.f32([B, k], new Float32Array(B * k).fill(123.5));
  const indices = ctx.i32([B, k], new Int32Array(B * k).fill(7777));
  const tScores = ctx.f32([B, m], scores);
  ctx.backend.topk(values, indices, tScores, mask === undefined ? undefined : ctx.f32([m], mask));
  const want = oracle.topk({ data: scores, rows: B, cols: m }, k, mask);
  await ctx.expectExact(`${label}: indices`, indices, want.indices);
  await ctx.expectExact(`${label}: values`, values, want.values);
  // A selection done in place (a partial sort of the scores) would corrupt the caller's input.
  await ctx.expectExact(`${label}: scores are left unchanged`, tScores, scores);
}

export const selectionCases: ConformanceGroup = {
  name: 'selection: topk / kthLargest',
  cases: [
    {
      name: 'topk on ragged shapes, k = 1 and k = m',
      async run(ctx) {
        const shapes: [number, number, number][] = [
          [1, 1, 1],
          [3, 17, 1],
          [17, 63, 5],
          [5, 65, 65],
          [9, 257, 32],
          [2, 257, 257],
          [33, 1025, 17],
        ];
        for (const [B, m, k] of shapes) {
          await checkTopk(ctx, `B=${B} m=${m} k=${k}`, B, m, k, ctx.random.normal(B * m));
        }
      },
    },
    {
      name: 'topk ties go to the lower index, in descending order',
      async run(ctx) {
        for (const [B, m, k] of [
          [7, 65, 9],
          [4, 257, 64],
          [3, 17, 17],
        ] as const) {
          await checkTopk(
            ctx,
            `integer scores B=${B} m=${m} k=${k}`,
            B,
            m,
            k,
            ctx.random.integers(B * m, -3, 4),
          );
        }
        await checkTopk(ctx, 'a constant row', 2, 33, 5, new Float32Array(66).fill(0.25));
      },
    },
    {
      name: 'topk with all-negative scores keeps negative values (no clamping at 0)',
      async run(ctx) {
        const scores = ctx.random.uniform(3 * 63, -5, -1);
        await checkTopk(ctx, 'negative', 3, 63, 63, scores);
        await checkTopk(ctx, 'negative', 3, 63, 8, scores);
      },
    },
    {
      name: 'masked topk: only unmasked columns compete',
      async run(ctx) {
        const B = 9;
        const m = 257;
        const scores = ctx.random.normal(B * m);
        await checkTopk(
          ctx,
          'mask with 100 candidates, k = 32',
          B,
          m,
          32,
          scores,
          ctx.random.mask(m, 100),
        );
        await checkTopk(
          ctx,
          'mask with ties',
          B,
          65,
          8,
          ctx.random.integers(B * 65, 0, 3),
          ctx.random.mask(65, 20),
        );
      },
    },
    {
      name: 'masked topk with fewer candidates than k: index −1, value 0 past them',
      async run(ctx) {
        const B = 5;
        const m = 65;
        const scores = ctx.random.uniform(B * m, -4, -1);
        await checkTopk(ctx, '3 candidates, k = 8', B, m, 8, scores, ctx.random.mask(m, 3));
        await checkTopk(ctx, '1 candidate, k = 1', B, m, 1, scores, ctx.random.mask(m, 1));
        await checkTopk(ctx, 'no candidates', B, m, 4, scores, new Float32Array(m));
        await checkTopk(ctx, 'k = m with half masked', B, m, m, scores, ctx.random.mask(m, 32));
      },
    },
    {
      name: 'kthLargest: n = 1, n = size, middle, ties; writes only out[offset]',
      async run(ctx) {
        const cases: [string, Float32Array][] = [
          ['one element', ctx.random.normal(1)],
          ['17 normal', ctx.random.normal(17)],
          ['65×257 normal', ctx.random.normal(65 * 257)],
          ['integers with many ties', ctx.random.integers(4099, -2, 3)],
          ['mostly zeros', Float32Array.from(ctx.random.normal(2048), (v) => Math.max(0, v - 1.5))],
        ];
        for (const [label, data] of cases) {
          const x = ctx.f32([data.length], data);
          const ns = [
            ...new Set([1, 2, Math.ceil(data.length / 3), data.length - 1, data.length]),
          ].filter((n) => n >= 1 && n <= data.length);
          for (const n of ns) {
            const prior = Float32Array.from([11, 22, 33]);
            const out = ctx.f32([3], prior);
            ctx.backend.kthLargest(out, 1, x, n);
            const want = Float32Array.from(prior);
            want[1] = oracle.kthLargest(data, n);
            await ctx.expectExact(`${label}, n = ${n}`, out, want);
          }
          await ctx.expectExact(`${label}: x is left unchanged`, x, data);
        }
        // A matrix is searched over all its elements, not per row.
        const mat = ctx.random.normal(17 * 33);
        const out = ctx.f32([1], new Float32Array(1));
        ctx.backend.kthLargest(out, 0, ctx.f32([17, 33], mat), 40);
        await ctx.expectExact('[17, 33], n = 40', out, [oracle.kthLargest(mat, 40)]);
      },
    },
  ],
};
