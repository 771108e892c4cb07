import type { Scale } from '../../backend/scale.js';
import type { Tensor } from '../../backend/tensor.js';
import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

const BASE = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 6.25e-10 } as const;

/**
 * Several Adam steps; after each the backend's param, m and v are compared with the oracle,
 * which then continues from the backend's own (float32) state so errors cannot compound.
 */
async function adamSteps(
  ctx: CaseContext,
  label: string,
  n: number,
  scaleFor: (step: number, src: Tensor) => { device?: Scale; host: number },
): Promise<void> {
  const p = ctx.f32([n], ctx.random.normal(n));
  const m = ctx.f32([n], new Float32Array(n));
  const v = ctx.f32([n], new Float32Array(n));
  const g = ctx.f32([n], new Float32Array(n));
  const src = ctx.f32([3], Float32Array.from([2.5, 0, 16]));
  for (let step = 1; step <= 5; step++) {
    const grad = ctx.random.normal(n, step === 3 ? 1e-3 : 1);
    if (step === 2) grad.fill(0, 0, Math.min(n, 5)); // zero gradients
    ctx.backend.write(g, grad);
    const state = {
      param: Float64Array.from(await ctx.read(p)),
      m: Float64Array.from(await ctx.read(m)),
      v: Float64Array.from(await ctx.read(v)),
    };
    const s = scaleFor(step, src);
    ctx.backend.adam(p, g, m, v, {
      ...BASE,
      step,
      ...(s.device === undefined ? {} : { gradScale: s.device }),
    });
    const want = oracle.adam(state, grad, { ...BASE, step, gradScale: s.host });
    await ctx.expectClose(`${label}, step ${step}: m`, m, want.m);
    await ctx.expectClose(`${label}, step ${step}: v`, v, want.v);
    await ctx.expectClose(`${label}, step ${step}: param`, p, want.param);
  }
}

export const optimizerCases: ConformanceGroup = {
  name: 'optimizer and constraints: adam / normalizeRows / removeParallel',
  cases: [
    {
      name: 'adam without gradScale over several steps',
      async run(ctx) {
        for (const n of [1, 17, 4099]) await adamSteps(ctx, `[${n}]`, n, () => ({ host: 1 }));
      },
    },
    {
      name: 'adam with a number gradScale',
      async run(ctx) {
        await adamSteps(ctx, 'gradScale 0.25', 257, () => ({ device: 0.25, host: 0.25 }));
      },
    },
    {
      name: 'adam with a DeviceScale gradScale (sqrt, clamp, source 0 → 0)',
      async run(ctx) {
        // Per step: 1/2.5, min(0.2, 1/sqrt(16)), 0 (source 0), 1/sqrt(2.5), min(0.5, 1/2.5)
        const forms = [
          { numerator: 1, index: 0 },
          { numerator: 1, index: 2, sqrt: true, max: 0.2 },
          { numerator: 1, index: 1 },
          { numerator: 1, index: 0, sqrt: true },
          { numerator: 1, index: 0, max: 0.5 },
        ];
        const values = [2.5, 0, 16];
        await adamSteps(ctx, 'device gradScale', 65, (step, src) => {
          const f = forms[step - 1];
          return {
            device: { ...f, source: src },
            host: oracle.resolveHostScale({ ...f, sourceValue: values[f.index] }),
          };
        });
      },
    },
    {
      name: 'normalizeRows: unit rows, a zero row stays zero',
      async run(ctx) {
        for (const [m, d] of [
          [1, 1],
          [5, 17],
          [65, 63],
          [17, 257],
        ]) {
          const w = ctx.random.normal(m * d);
          w.fill(0, 0, d); // row 0 is zero
          if (m > 2) for (let c = 0; c < d; c++) w[2 * d + c] *= 1e3; // a long row
          if (m > 3) for (let c = 0; c < d; c++) w[3 * d + c] *= 1e-3; // a short row
          const tw = ctx.f32([m, d], w);
          ctx.backend.normalizeRows(tw);
          await ctx.expectClose(
            `[${m}, ${d}]`,
            tw,
            oracle.normalizeRows({ data: w, rows: m, cols: d }),
          );
        }
      },
    },
    {
      name: 'removeParallel: grad rows lose their component along unit weight rows',
      async run(ctx) {
        for (const [m, d] of [
          [1, 1],
          [5, 17],
          [65, 63],
          [17, 257],
        ]) {
          const raw = ctx.random.normal(m * d);
          const unit = Float32Array.from(oracle.normalizeRows({ data: raw, rows: m, cols: d }).ref);
          const g = ctx.random.normal(m * d);
          const tg = ctx.f32([m, d], g);
          ctx.backend.removeParallel(tg, ctx.f32([m, d], unit));
          await ctx.expectClose(
            `[${m}, ${d}]`,
            tg,
            oracle.removeParallel({ data: g, rows: m, cols: d }, { data: unit, rows: m, cols: d }),
          );
        }
      },
    },
  ],
};
