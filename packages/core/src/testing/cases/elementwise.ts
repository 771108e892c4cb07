import { expect } from 'vitest';
import type { DeviceScale } from '../../backend/scale.js';
import type { CaseContext, ConformanceGroup } from '../case.js';
import * as oracle from '../oracle.js';

/** Every DeviceScale form, with the host value the oracle expects. Source: [4, 0, −2, 0.25]. */
const SOURCE = Float32Array.from([4, 0, -2, 0.25]);
const SCALES: readonly { label: string; scale: Omit<DeviceScale, 'source'> }[] = [
  { label: 'numerator / source', scale: { numerator: 3, index: 0 } },
  { label: 'numerator / sqrt(source)', scale: { numerator: 3, index: 0, sqrt: true } },
  { label: 'clamped by max', scale: { numerator: 3, index: 3, max: 2 } },
  { label: 'max not reached', scale: { numerator: 3, index: 0, max: 100 } },
  { label: 'sqrt and max', scale: { numerator: -1, index: 3, sqrt: true, max: 0.5 } },
  { label: 'source 0 → 0', scale: { numerator: 3, index: 1 } },
  { label: 'negative source → 0', scale: { numerator: 3, index: 2, sqrt: true } },
];

function hostScale(s: Omit<DeviceScale, 'source'>): number {
  return oracle.resolveHostScale({ ...s, sourceValue: SOURCE[s.index] });
}

async function checkAxpby(
  ctx: CaseContext,
  label: string,
  shape: readonly number[],
  yShape: readonly number[],
  a: number | Omit<DeviceScale, 'source'>,
  b: number | Omit<DeviceScale, 'source'>,
  alias: 'none' | 'x' | 'y',
): Promise<void> {
  const n = shape.reduce((p, q) => p * q, 1);
  const yn = yShape.reduce((p, q) => p * q, 1);
  const x = ctx.random.normal(n);
  const y = ctx.random.normal(yn);
  const src = ctx.f32([4], SOURCE);
  const tx = ctx.f32(shape, x);
  const ty = ctx.f32(yShape, y);
  const out = alias === 'x' ? tx : alias === 'y' ? ty : ctx.f32(shape, ctx.random.normal(n));
  const dev = (s: number | Omit<DeviceScale, 'source'>) =>
    typeof s === 'number' ? s : { ...s, source: src };
  const host = (s: number | Omit<DeviceScale, 'source'>) =>
    typeof s === 'number' ? s : hostScale(s);
  ctx.backend.axpby(out, dev(a), tx, dev(b), ty);
  await ctx.expectClose(label, out, oracle.axpby(host(a), x, host(b), y));
  await ctx.expectExact(`${label}: the scale source is untouched`, src, SOURCE);
}

export const elementwiseCases: ConformanceGroup = {
  name: 'elementwise: axpby / maskPositive / greaterThan / thresholdRelu / exp / staleCounter',
  cases: [
    {
      name: 'axpby with number scales on ragged sizes',
      async run(ctx) {
        for (const shape of [[1], [17], [63, 65], [4099]]) {
          await checkAxpby(ctx, `[${shape.join(', ')}]`, shape, shape, 1.5, -0.25, 'none');
        }
        await checkAxpby(ctx, 'a = 0, b = 1', [3, 17], [3, 17], 0, 1, 'none');
      },
    },
    {
      name: 'axpby broadcasts a row vector y over the rows of x',
      async run(ctx) {
        for (const [R, C] of [
          [2, 1],
          [3, 17],
          [257, 65],
        ]) {
          await checkAxpby(ctx, `[${R}, ${C}] + [${C}]`, [R, C], [C], 0.5, 2, 'none');
          await checkAxpby(ctx, `[${R}, ${C}] + [1, ${C}]`, [R, C], [1, C], -1, 1, 'none');
        }
      },
    },
    {
      name: 'axpby may write in place over x or y',
      async run(ctx) {
        await checkAxpby(ctx, 'out = x', [63, 65], [63, 65], 0.75, -2, 'x');
        await checkAxpby(ctx, 'out = y', [63, 65], [63, 65], 0.75, -2, 'y');
        await checkAxpby(ctx, 'out = x, y broadcast', [63, 65], [65], 1, -1, 'x');
      },
    },
    {
      name: 'axpby with every DeviceScale form (sqrt, max clamp, source ≤ 0 → 0)',
      async run(ctx) {
        for (const { label, scale } of SCALES) {
          await checkAxpby(ctx, `a: ${label}`, [17, 33], [17, 33], scale, 0.5, 'none');
          await checkAxpby(ctx, `b: ${label}`, [17, 33], [33], 1, scale, 'x');
        }
      },
    },
    {
      name: 'maskPositive, in place over grad too',
      async run(ctx) {
        for (const n of [1, 17, 4099]) {
          const g = ctx.random.normal(n);
          const ref = ctx.random.integers(n, -1, 2); // −1, 0, 1: zero must mask
          const out = ctx.f32([n], ctx.random.normal(n));
          ctx.backend.maskPositive(out, ctx.f32([n], g), ctx.f32([n], ref));
          await ctx.expectExact(`[${n}]`, out, oracle.maskPositive(g, ref));
          const tg = ctx.f32([n], g);
          ctx.backend.maskPositive(tg, tg, ctx.f32([n], ref));
          await ctx.expectExact(`[${n}] in place`, tg, oracle.maskPositive(g, ref));
        }
      },
    },
    {
      name: 'greaterThan is strict',
      async run(ctx) {
        const x = ctx.random.integers(257, -2, 3);
        for (const t of [0, 0.5, 1, -2]) {
          const out = ctx.f32([257], ctx.random.normal(257));
          ctx.backend.greaterThan(out, ctx.f32([257], x), t);
          await ctx.expectExact(`threshold ${t}`, out, oracle.greaterThan(x, t));
        }
      },
    },
    {
      name: 'thresholdRelu per column is strict like SAELens (x > t and x > 0), in place too',
      async run(ctx) {
        for (const [R, C] of [
          [1, 1],
          [3, 17],
          [65, 63],
        ]) {
          // Integer data and thresholds so that x == t happens often.
          const x = ctx.random.integers(R * C, -2, 4);
          const t = ctx.random.integers(C, -1, 3);
          const out = ctx.f32([R, C], ctx.random.normal(R * C));
          ctx.backend.thresholdRelu(out, ctx.f32([R, C], x), ctx.f32([C], t));
          await ctx.expectExact(`[${R}, ${C}]`, out, oracle.thresholdRelu(x, C, t));
          const tx = ctx.f32([R, C], x);
          ctx.backend.thresholdRelu(tx, tx, ctx.f32([C], t));
          await ctx.expectExact(`[${R}, ${C}] in place`, tx, oracle.thresholdRelu(x, C, t));
        }
      },
    },
    {
      name: 'thresholdRelu with a device-scalar batch cut threshold[index] keeps x == t',
      async run(ctx) {
        const x = ctx.random.integers(63 * 17, -2, 4);
        const th = Float32Array.from([-1, 2, 0, 1]);
        for (let index = 0; index < th.length; index++) {
          const out = ctx.f32([63, 17], ctx.random.normal(63 * 17));
          ctx.backend.thresholdRelu(out, ctx.f32([63, 17], x), ctx.f32([4], th), index);
          await ctx.expectExact(
            `threshold[${index}] = ${th[index]}`,
            out,
            oracle.thresholdRelu(x, 17, th[index]),
          );
        }
      },
    },
    {
      name: 'exp on ragged sizes, in place too',
      async run(ctx) {
        for (const n of [1, 17, 4099]) {
          // Adam-sized steps and a wider spread; float64 rounded once is the reference.
          const x = Float32Array.from(ctx.random.normal(n), (v, i) => (i % 2 ? v * 0.01 : v * 4));
          const out = ctx.f32([n], ctx.random.normal(n));
          ctx.backend.exp(out, ctx.f32([n], x));
          await ctx.expectClose(`[${n}]`, out, oracle.exp(x));
          const tx = ctx.f32([n], x);
          ctx.backend.exp(tx, tx);
          await ctx.expectClose(`[${n}] in place`, tx, oracle.exp(x));
        }
      },
    },
    {
      name: 'exp at the edges: ±0 → 1, overflow → +∞, deep underflow → 0, near-subnormal stays tiny',
      async run(ctx) {
        // Relative accuracy over float32's whole normal range. WGSL only promises exp within
        // 3 + 2·|x| ulps, so this check allows 2e-5 (≈ 180 ulps at |x| = 88).
        const wide = Float32Array.from([-87, -60, -20, -1e-7, 1e-7, 20, 60, 88]);
        const tw = ctx.f32([wide.length], wide);
        ctx.backend.exp(tw, tw);
        await ctx.expectClose('x in [−87, 88]', tw, oracle.exp(wide), { atol: 0, rtol: 2e-5 });
        // Exact: e^±0 = 1; past ln(float32 max) the result is +∞; at or below −104 it is 0
        // (e^−104 is under half the smallest subnormal, so every rounding gives 0).
        const exact = Float32Array.from([0, -0, 89, 100, Infinity, -104, -200, -1e30, -Infinity]);
        const want = [1, 1, Infinity, Infinity, Infinity, 0, 0, 0, 0];
        const te = ctx.f32([exact.length], exact);
        ctx.backend.exp(te, te);
        await ctx.expectExact('±0, overflow, deep underflow', te, want);
        // Results below the smallest normal float32 (2^−126) may be flushed to 0 (GPUs do); if
        // not, they must be the true value to within a subnormal's spacing, never garbage.
        const sub = Float32Array.from([-88, -95, -100, -103]);
        const ts = ctx.f32([sub.length], sub);
        ctx.backend.exp(ts, ts);
        const got = await ctx.read(ts);
        const ref = oracle.exp(sub).ref;
        for (let i = 0; i < sub.length; i++) {
          const ok = got[i] === 0 || Math.abs(got[i] - ref[i]) <= 2 ** -149 + 2e-5 * ref[i];
          expect(ok, `exp(${sub[i]}) gave ${got[i]}: want 0 or e^x ≈ ${ref[i]}`).toBe(true);
        }
      },
    },
    {
      name: 'staleCounter resets fired latents and counts the others, over several steps',
      async run(ctx) {
        const n = 257;
        let host = ctx.random.integers(n, 0, 50000);
        const counter = ctx.f32([n], host);
        for (const increment of [4096, 1, 123]) {
          const fired = ctx.random.integers(n, -1, 3); // −1 and 0 are "not fired"
          ctx.backend.staleCounter(counter, ctx.f32([n], fired), increment);
          const exp = oracle.staleCounter(host, fired, increment);
          await ctx.expectClose(`increment ${increment}`, counter, exp);
          host = Float32Array.from(exp.ref);
        }
      },
    },
  ],
};
