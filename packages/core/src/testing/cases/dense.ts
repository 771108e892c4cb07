import type { ConformanceGroup } from '../case.js';

export const denseCases: ConformanceGroup = {
  name: 'dense: fill / copy',
  cases: [
    {
      name: 'fill writes every element, float32 and int32',
      async run(ctx) {
        for (const n of [1, 17, 257, 4099]) {
          const f = ctx.f32([n], ctx.random.normal(n));
          ctx.backend.fill(f, -0.375);
          await ctx.expectExact(`float32 [${n}]`, f, new Array(n).fill(-0.375));
          const i = ctx.i32([n], new Int32Array(n).fill(7));
          ctx.backend.fill(i, -1);
          await ctx.expectExact(`int32 [${n}]`, i, new Array(n).fill(-1));
        }
      },
    },
    {
      name: 'copy reproduces the source exactly, float32 and int32',
      async run(ctx) {
        for (const [r, c] of [
          [1, 1],
          [3, 17],
          [63, 65],
        ]) {
          const src = ctx.random.normal(r * c);
          const out = ctx.f32([r, c], ctx.random.normal(r * c));
          ctx.backend.copy(out, ctx.f32([r, c], src));
          await ctx.expectExact(`float32 [${r}, ${c}]`, out, src);
          const isrc = ctx.random.indices(r, c, 1000, 0.3);
          const iout = ctx.i32([r, c], new Int32Array(r * c));
          ctx.backend.copy(iout, ctx.i32([r, c], isrc));
          await ctx.expectExact(`int32 [${r}, ${c}]`, iout, isrc);
        }
      },
    },
  ],
};
