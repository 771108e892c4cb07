import { createCpuBackend, type Tensor } from '@saekit/core';
import { describe, expect, it } from 'vitest';

// Edges of the cpu kernels that the conformance oracle's tolerance lets through: the sign of
// a zero, a threshold below zero, an eps large enough to matter.
describe('cpu kernels: edges the oracle tolerance does not see', () => {
  const be = createCpuBackend();
  const read = async (t: Tensor) => Array.from(await be.read(t));

  it('thresholdRelu: negative thresholds still cut at 0, and a cut -0 is +0', async () => {
    // Per column (JumpReLU): x > t and x > 0.
    const x = be.create([2, 3], 'float32', Float32Array.of(-0.5, -0, 0.7, -2, 0, 0.2));
    const th = be.create([3], 'float32', Float32Array.of(-1, -1, 0.5));
    const out = be.create([2, 3]);
    be.thresholdRelu(out, x, th);
    const got = await read(out);
    expect(got).toEqual([0, 0, 0.699999988079071, 0, 0, 0]);
    for (const [i, v] of got.entries())
      if (v === 0) expect(Object.is(v, 0), `out[${i}]`).toBe(true);
    // Batch cut (BatchTopK): x ≥ t and x > 0, with t = 0 or below.
    const y = be.create([4], 'float32', Float32Array.of(-0, 0, 2, -1));
    for (const t of [0, -1]) {
      const cut = be.create([1], 'float32', Float32Array.of(t));
      const o = be.create([4]);
      be.thresholdRelu(o, y, cut, 0);
      const r = await read(o);
      expect(r, `t = ${t}`).toEqual([0, 0, 2, 0]);
      expect(Object.is(r[0], 0), `t = ${t}: -0 is cut to +0`).toBe(true);
    }
  });

  it('adam: eps is added to sqrt(v̂) (a large eps shrinks the step)', async () => {
    const g = Float32Array.of(0.3, -0.2, 0.05);
    const p0 = Float32Array.of(1, 2, 3);
    const param = be.create([3], 'float32', p0);
    const grad = be.create([3], 'float32', g);
    const m = be.create([3]);
    const v = be.create([3]);
    const options = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0.5 };
    be.adam(param, grad, m, v, { ...options, step: 1 });
    // Step 1: m̂ = g and v̂ = g², so p − lr·g/(|g| + eps).
    const want = Array.from(p0, (p, i) => p - (0.1 * g[i]) / (Math.abs(g[i]) + 0.5));
    const got = await read(param);
    for (let i = 0; i < 3; i++) expect(Math.abs(got[i] - want[i]), `p[${i}]`).toBeLessThan(1e-6);
  });
});
