import { createCpuBackend, Rng, resolveTrainConfig, type TrainConfigInput } from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { M, PARAM_NAMES, TrainGraph } from '../src/train/graph.js';

// TrainGraph.update on gradients written by hand, against Adam's first step computed here in
// float64: which decoder constraint each architecture applies, and what the reported gradient
// norm sums. (The trainer-level tests see these only through training outcomes.)
const d = 5;
const m = 6;
const rows = 3;
const lr = 0.01;

function setUp(input: Partial<TrainConfigInput>) {
  const backend = createCpuBackend();
  const config = resolveTrainConfig({ dIn: d, dSae: m, batchSize: rows, lr, ...input });
  const g = new TrainGraph(backend, config);
  const rng = new Rng(11);
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  // Unit decoder rows, as every architecture but standard keeps them.
  const wDec = random(m * d);
  for (let r = 0; r < m; r++) {
    const row = wDec.subarray(r * d, (r + 1) * d);
    const n = Math.hypot(...row);
    for (let c = 0; c < d; c++) row[c] /= n;
  }
  backend.write(g.params.wDec, wDec);
  const grads = {
    wEnc: random(m * d),
    bEnc: random(m),
    wDec: random(m * d),
    bDec: random(d),
  };
  for (const name of PARAM_NAMES) backend.write(g.grads[name], grads[name]);
  backend.fill(g.metrics[0], 0);
  const read = async (t: Parameters<typeof backend.read>[0]) =>
    Float64Array.from((await backend.read(t)) as Float32Array);
  return { backend, config, g, wDec, grads, read };
}

/** Adam's first step: m̂ = g and v̂ = g², so p − lr·g/(|g| + eps). */
function adamFirstStep(p: ArrayLike<number>, grad: ArrayLike<number>, eps: number): Float64Array {
  return Float64Array.from(p, (v, i) => v - (lr * grad[i]) / (Math.abs(grad[i]) + eps));
}

function expectClose(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `${what}[${i}]`).toBeLessThan(1e-6);
  }
}

/** grad with each row's component along the (unit) decoder row removed. */
function withoutRadialPart(grad: Float32Array, wDec: Float32Array): Float64Array {
  const out = Float64Array.from(grad);
  for (let r = 0; r < m; r++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += out[r * d + c] * wDec[r * d + c];
    for (let c = 0; c < d; c++) out[r * d + c] -= dot * wDec[r * d + c];
  }
  return out;
}

const sumSquares = (...arrays: ArrayLike<number>[]) =>
  arrays.reduce((s, a) => s + Array.from(a).reduce((t, v) => t + v * v, 0), 0);

describe('TrainGraph.update: decoder constraints and the gradient norm per architecture', () => {
  it('standard: W_dec takes the raw gradient and keeps its row norms free', async () => {
    const { g, wDec, grads, config, read } = setUp({ architecture: 'standard', l1Coefficient: 1 });
    g.update(rows, g.metrics[0], 1, lr);
    expectClose(await read(g.params.wDec), adamFirstStep(wDec, grads.wDec, config.eps), 'wDec');
    const metrics = await read(g.metrics[0]);
    const want = sumSquares(grads.wEnc, grads.bEnc, grads.wDec, grads.bDec);
    expect(Math.abs(metrics[M.gradNormSq] - want) / want).toBeLessThan(1e-5);
    g.dispose();
  });

  it('topk: W_dec takes the gradient without its radial part, then rows are renormalised', async () => {
    const { g, wDec, grads, config, read } = setUp({ architecture: 'topk', k: 2 });
    g.update(rows, g.metrics[0], 1, lr);
    const projected = withoutRadialPart(grads.wDec, wDec);
    const want = adamFirstStep(wDec, projected, config.eps);
    for (let r = 0; r < m; r++) {
      const row = want.subarray(r * d, (r + 1) * d);
      const n = Math.hypot(...row);
      for (let c = 0; c < d; c++) row[c] /= n;
    }
    expectClose(await read(g.params.wDec), want, 'wDec');
    // The norm that clipping and the gradNorm metric see is the projected gradient's.
    const metrics = await read(g.metrics[0]);
    const norm = sumSquares(grads.wEnc, grads.bEnc, projected, grads.bDec);
    expect(Math.abs(metrics[M.gradNormSq] - norm) / norm).toBeLessThan(1e-5);
    g.dispose();
  });

  it("jumprelu: the gradient norm includes log θ; θ takes Adam's step on log θ as θ·exp(Δ)", async () => {
    const { backend, g, wDec, grads, config, read } = setUp({
      architecture: 'jumprelu',
      targetL0: 2,
    });
    const thresholdGrad = g.dense?.thresholdGrad;
    if (!thresholdGrad) throw new Error('jumprelu has a threshold gradient');
    const gTheta = Float32Array.from({ length: m }, (_, i) => (i % 2 === 0 ? 0.5 : -2) * (i + 1));
    const theta = Float32Array.from({ length: m }, (_, i) => 0.1 * (i + 1));
    backend.write(thresholdGrad, gTheta);
    backend.write(g.theta, theta);
    g.update(rows, g.metrics[0], 1, lr);
    const metrics = await read(g.metrics[0]);
    const projected = withoutRadialPart(grads.wDec, wDec);
    const want = sumSquares(grads.wEnc, grads.bEnc, projected, grads.bDec, gTheta);
    expect(Math.abs(metrics[M.gradNormSq] - want) / want).toBeLessThan(1e-5);
    const delta = adamFirstStep(new Float64Array(m), gTheta, config.eps);
    const thetaWant = Float64Array.from(theta, (t, i) => t * Math.exp(delta[i]));
    expectClose(await read(g.theta), thetaWant, 'theta');
    g.dispose();
  });

  it('dispose releases every tensor the graph made', async () => {
    const { backend, g } = setUp({ architecture: 'topk', k: 2 });
    const w = g.work(rows);
    g.dispose();
    await expect(backend.read(g.params.wDec)).rejects.toThrow();
    await expect(backend.read(w.x)).rejects.toThrow();
  });
});

describe('TrainGraph.forwardBackward: Top-K keeps only positive activations', () => {
  it('a batch whose k best pre-activations are all negative decodes to b_dec and fires nothing', async () => {
    const { backend, g, read } = setUp({ architecture: 'topk', k: 4, auxkAlpha: 0 });
    const rng = new Rng(5);
    backend.write(
      g.params.wEnc,
      Float32Array.from({ length: m * d }, () => rng.normal()),
    );
    backend.write(g.params.bEnc, new Float32Array(m).fill(-100));
    const bDec = Float32Array.from({ length: d }, (_, i) => i / 10);
    backend.write(g.params.bDec, bDec);
    backend.write(
      g.work(rows).x,
      Float32Array.from({ length: rows * d }, () => rng.normal()),
    );
    g.forwardBackward(rows, g.metrics[0], 1);
    const xhat = await read(g.work(rows).xhat);
    for (let i = 0; i < xhat.length; i++) expect(xhat[i], `xhat[${i}]`).toBe(bDec[i % d]);
    expect((await read(g.metrics[0]))[M.active]).toBe(0);
    g.dispose();
  });
});
