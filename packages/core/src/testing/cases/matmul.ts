import type { CaseContext, ConformanceCase, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/** [M, N, D]: ragged sizes around the usual tile widths (4, 8, 16, 32, 64). */
const SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [1, 17, 3],
  [3, 1, 17],
  [17, 63, 5],
  [63, 65, 33],
  [65, 17, 257],
  [257, 33, 65],
];

interface Variant {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly bias: boolean;
  readonly alpha?: number;
  readonly accumulate: boolean;
}

async function check(
  ctx: CaseContext,
  [M, N, D]: [number, number, number],
  v: Variant,
): Promise<void> {
  const r = ctx.random;
  const aShape = v.transA ? [D, M] : [M, D];
  const bShape = v.transB ? [N, D] : [D, N];
  const aData = r.normal(M * D);
  const bData = r.normal(D * N);
  const prior = r.normal(M * N);
  const biasData = r.normal(N);
  const out = ctx.f32([M, N], prior);
  const ta = ctx.f32(aShape, aData);
  const tb = ctx.f32(bShape, bData);
  ctx.backend.matmul(out, ta, tb, {
    transA: v.transA,
    transB: v.transB,
    ...(v.bias ? { bias: ctx.f32([N], biasData) } : {}),
    ...(v.alpha === undefined ? {} : { alpha: v.alpha }),
    accumulate: v.accumulate,
  });
  const exp = oracle.matmul(
    { data: aData, rows: aShape[0], cols: aShape[1] },
    { data: bData, rows: bShape[0], cols: bShape[1] },
    {
      transA: v.transA,
      transB: v.transB,
      alpha: v.alpha,
      ...(v.bias ? { bias: biasData } : {}),
      ...(v.accumulate ? { accumulateOnto: prior } : {}),
    },
  );
  const label = `matmul ${describe(v)} M=${M} N=${N} D=${D}`;
  await ctx.expectClose(label, out, exp);
  // A transpose done in place would corrupt the operands.
  await ctx.expectExact(`${label}: a is left unchanged`, ta, aData);
  await ctx.expectExact(`${label}: b is left unchanged`, tb, bData);
}

function describe(v: Variant): string {
  return [`${v.transA ? 'T' : 'N'}${v.transB ? 'T' : 'N'}`, ...optionParts(v)].join(' + ');
}

function optionParts(v: Omit<Variant, 'transA' | 'transB'>): string[] {
  const parts: string[] = [];
  if (v.bias) parts.push('bias');
  if (v.alpha !== undefined) parts.push(`alpha=${v.alpha}`);
  if (v.accumulate) parts.push('accumulate');
  return parts;
}

/** `check` on every shape in all four transposes, with the same options. */
async function inEveryTranspose(
  ctx: CaseContext,
  shapes: readonly [number, number, number][],
  o: Omit<Variant, 'transA' | 'transB'>,
): Promise<void> {
  for (const shape of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) await check(ctx, shape, { transA, transB, ...o });
    }
  }
}

const transposeCases: ConformanceCase[] = [false, true].flatMap((transA) =>
  [false, true].map((transB) => ({
    name: `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} on ragged shapes`,
    async run(ctx: CaseContext) {
      for (const shape of SHAPES)
        await check(ctx, shape, { transA, transB, bias: false, accumulate: false });
    },
  })),
);

const optionCases: ConformanceCase[] = [
  { bias: true, accumulate: false },
  { bias: false, alpha: -0.5, accumulate: false },
  { bias: false, accumulate: true },
  { bias: true, alpha: 2.5, accumulate: true },
  { bias: true, alpha: 0, accumulate: true },
].map((o) => ({
  name: `${optionParts(o).join(' + ')} in every transpose`,
  run: (ctx: CaseContext) => inEveryTranspose(ctx, [SHAPES[1], SHAPES[3], SHAPES[5]], o),
}));

export const matmulCases: ConformanceGroup = {
  name: 'matmul',
  cases: [
    ...transposeCases,
    ...optionCases,
    {
      name: '1-D operands are row vectors (vector·matrix, matrix·vectorᵀ, outer product)',
      async run(ctx) {
        const r = ctx.random;
        const D = 65;
        const N = 17;
        const M = 33;
        // out [N] = a [D] · b [D, N]
        const a = r.normal(D);
        const b = r.normal(D * N);
        const o1 = ctx.f32([N], r.normal(N));
        ctx.backend.matmul(o1, ctx.f32([D], a), ctx.f32([D, N], b));
        await ctx.expectClose(
          'vector · matrix',
          o1,
          oracle.matmul({ data: a, rows: 1, cols: D }, { data: b, rows: D, cols: N }),
        );
        // out [M, 1] = A [M, D] · bᵀ with b [D] read as [1, D]
        const A = r.normal(M * D);
        const o2 = ctx.f32([M, 1], r.normal(M));
        ctx.backend.matmul(o2, ctx.f32([M, D], A), ctx.f32([D], a), { transB: true });
        await ctx.expectClose(
          'matrix · vectorᵀ',
          o2,
          oracle.matmul(
            { data: A, rows: M, cols: D },
            { data: a, rows: 1, cols: D },
            { transB: true },
          ),
        );
        // out [D, N] = aᵀ · c, a [D] and c [N] read as [1, D] and [1, N]: an outer product.
        const c = r.normal(N);
        const o3 = ctx.f32([D, N], r.normal(D * N));
        ctx.backend.matmul(o3, ctx.f32([D], a), ctx.f32([N], c), { transA: true });
        await ctx.expectClose(
          'outer product aᵀ · c',
          o3,
          oracle.matmul(
            { data: a, rows: 1, cols: D },
            { data: c, rows: 1, cols: N },
            { transA: true },
          ),
        );
      },
    },
    {
      // A few outputs over a long inner dimension: GPU backends split K across workgroups
      // here (and M = 1 is a matrix-vector product), so the partial sums must add up.
      name: 'small outputs over a long inner dimension, every transpose and option',
      run: (ctx) =>
        inEveryTranspose(
          ctx,
          [
            [5, 7, 1543],
            [1, 33, 2049],
          ],
          { bias: true, alpha: -0.5, accumulate: true },
        ),
    },
    {
      // Tiled kernels stage K a few columns at a time (8 on the WebGPU tiles) and may load
      // the next stage while computing the current one: one stage exactly, two exactly, a
      // stage and a half and half a stage are where such a pipeline drops or repeats one.
      // Outputs over 128 in both dimensions, so several workgroup tiles see each edge.
      name: 'inner dimensions at a tile depth: one stage, exact multiples, part of one',
      run: (ctx) =>
        inEveryTranspose(
          ctx,
          [
            [129, 131, 8],
            [132, 136, 16],
            [131, 129, 12],
            [136, 65, 4],
          ],
          { bias: true, alpha: 1.5, accumulate: true },
        ),
    },
    {
      name: 'training shapes: x·W_encᵀ + b_enc and its gradients',
      async run(ctx) {
        const B = 129;
        const d = 64;
        const m = 257;
        await check(ctx, [B, m, d], { transA: false, transB: true, bias: true, accumulate: false });
        await check(ctx, [B, d, m], {
          transA: false,
          transB: false,
          bias: false,
          accumulate: false,
        });
        await check(ctx, [m, d, B], { transA: true, transB: false, bias: false, accumulate: true });
      },
    },
  ],
};
