import { createCpuBackend, Rng, resolveTrainConfig, type TrainConfigInput } from '@saekit/core';
import {
  centralDifferences,
  type ReferenceDenseProblem,
  type ReferenceParams,
  referenceDenseLoss,
  referenceJumpReluThresholdGradient,
} from '@saekit/core/testing';
import { describe, expect, it } from 'vitest';
import { M, TrainGraph } from '../src/train/graph.js';

const rows = 6;
const d = 7;
const m = 14;

function randomProblem(seed: number) {
  const rng = new Rng(seed);
  const f32 = (n: number, std: number, shift = 0) =>
    Float32Array.from({ length: n }, () => shift + std * rng.normal());
  return {
    wEnc: f32(m * d, 0.5),
    bEnc: f32(m, 0.3, 0.2),
    wDec: f32(m * d, 0.5),
    bDec: f32(d, 0.3),
    x: f32(rows * d, 1),
    // Thresholds around the pre-activations' scale, so a wide window catches some of them.
    threshold: Float32Array.from({ length: m }, () => 0.2 + 0.6 * rng.uniform()),
  };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

/** The device graph at the given parameters, one forward/backward at `step`. */
async function deviceGradients(
  p: ReturnType<typeof randomProblem>,
  input: TrainConfigInput,
  step = 1,
  dead?: Float32Array,
) {
  const backend = createCpuBackend();
  const g = new TrainGraph(backend, resolveTrainConfig(input));
  // Dead latents: tokens since they last fired past deadTokens.
  if (dead)
    backend.write(
      g.stale,
      dead.map((v) => (v ? 2 * input.deadTokens! : 0)),
    );
  backend.write(g.params.wEnc, p.wEnc);
  backend.write(g.params.bEnc, p.bEnc);
  backend.write(g.params.wDec, p.wDec);
  backend.write(g.params.bDec, p.bDec);
  if (input.architecture === 'jumprelu') backend.write(g.theta, p.threshold);
  backend.write(g.work(rows).x, p.x);
  g.forwardBackward(rows, g.metrics[0], step);
  const read = async (t: Parameters<typeof backend.read>[0]) =>
    Float32Array.from((await backend.read(t)) as Float32Array);
  const out = {
    wEnc: await read(g.grads.wEnc),
    bEnc: await read(g.grads.bEnc),
    wDec: await read(g.grads.wDec),
    bDec: await read(g.grads.bDec),
    logThreshold: g.dense?.thresholdGrad ? await read(g.dense.thresholdGrad) : null,
    metrics: await read(g.metrics[0]),
  };
  g.dispose();
  return out;
}

function expectClose(name: string, analytic: Float32Array, want: Float64Array): void {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-4);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(analytic[i] - want[i]), `${name}[${i}]`).toBeLessThan(2e-4 * scale + 1e-6);
  }
}

describe('dense architectures: analytic gradients against float64 central differences', () => {
  const cases: {
    arch: 'jumprelu' | 'standard';
    seed: number;
    targetL0?: number;
    preAct?: number;
  }[] = [
    { arch: 'standard', seed: 1 },
    { arch: 'standard', seed: 2 },
    { arch: 'jumprelu', seed: 3 },
    { arch: 'jumprelu', seed: 4, targetL0: 2 },
    { arch: 'jumprelu', seed: 5, targetL0: 2, preAct: 0.8 },
  ];
  for (const { arch, seed, targetL0, preAct } of cases) {
    it(`${arch}${targetL0 ? ' (target L0)' : ''}${preAct ? ' (pre-act loss on dead latents)' : ''}, seed ${seed}: W_enc, b_enc, W_dec, b_dec and log θ`, async () => {
      const p = randomProblem(seed);
      // Every third latent dead (the pre-activation loss acts on those only).
      const dead = preAct
        ? Float32Array.from({ length: m }, (_, i) => (i % 3 === 0 ? 1 : 0))
        : undefined;
      const lambda = 0.7;
      const bandwidth = 0.4;
      const problem: ReferenceDenseProblem = {
        x: f64(p.x),
        rows,
        dIn: d,
        dSae: m,
        architecture: arch,
        lambda,
        ...(arch === 'jumprelu'
          ? {
              threshold: f64(p.threshold),
              bandwidth,
              ...(targetL0 ? { targetL0 } : {}),
              ...(preAct && dead ? { preAct: { coefficient: preAct, dead } } : {}),
            }
          : {}),
      };
      const params: ReferenceParams = {
        wEnc: f64(p.wEnc),
        bEnc: f64(p.bEnc),
        wDec: f64(p.wDec),
        bDec: f64(p.bDec),
      };
      const ref = referenceDenseLoss(params, problem);
      // The case must have both active and inactive latents, or it tests half the code.
      expect(ref.l0).toBeGreaterThan(1);
      expect(ref.l0).toBeLessThan(m - 1);
      const fd = centralDifferences(params, () => referenceDenseLoss(params, problem).loss);
      const input: TrainConfigInput =
        arch === 'jumprelu'
          ? {
              architecture: arch,
              dIn: d,
              dSae: m,
              batchSize: rows,
              l0Coefficient: lambda,
              jumpreluBandwidth: bandwidth,
              sparsityWarmupSteps: 0,
              ...(targetL0 ? { targetL0 } : {}),
              ...(preAct ? { jumpreluPreActCoefficient: preAct, deadTokens: 100 } : {}),
            }
          : {
              architecture: arch,
              dIn: d,
              dSae: m,
              batchSize: rows,
              l1Coefficient: lambda,
              sparsityWarmupSteps: 0,
            };
      const dev = await deviceGradients(p, input, 1, dead);
      // The device's losses agree with the reference.
      expect(dev.metrics[M.fvuNum] / rows).toBeCloseTo(ref.reconstruction, 5);
      expect(dev.metrics[M.active] / rows).toBe(ref.l0);
      if (arch === 'standard') {
        expect((lambda * dev.metrics[M.l1]) / rows).toBeCloseTo(ref.sparsity, 5);
      }
      for (const name of ['wEnc', 'bEnc', 'wDec', 'bDec'] as const) {
        expectClose(name, dev[name], fd[name]);
      }
      if (arch === 'jumprelu') {
        // θ has no derivative (the loss is a step function of it): its gradient is the
        // straight-through estimate, checked against the float64 formula, in log space.
        const gTheta = referenceJumpReluThresholdGradient(params, problem);
        const gLog = gTheta.map((v, i) => v * p.threshold[i]);
        const hits = gLog.filter((v) => v !== 0).length;
        expect(hits, 'latents with a pre-activation inside the window').toBeGreaterThan(2);
        expectClose('log θ', dev.logThreshold!, gLog);
      }
    });
  }

  it('standard: the L1 term reaches W_dec through the row norms (λ·Σ_b f_bi · W_dec[i]/‖W_dec[i]‖)', async () => {
    // With λ = 0 and λ > 0 the W_dec gradients differ by exactly that term.
    const p = randomProblem(9);
    const base = {
      architecture: 'standard',
      dIn: d,
      dSae: m,
      batchSize: rows,
      sparsityWarmupSteps: 0,
    } as const;
    const g0 = await deviceGradients(p, { ...base, l1Coefficient: 0 });
    const g1 = await deviceGradients(p, { ...base, l1Coefficient: 2 });
    const ref = referenceDenseLoss(
      { wEnc: f64(p.wEnc), bEnc: f64(p.bEnc), wDec: f64(p.wDec), bDec: f64(p.bDec) },
      { x: f64(p.x), rows, dIn: d, dSae: m, architecture: 'standard', lambda: 0 },
    );
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += ref.acts[r * m + i];
      let n = 0;
      for (let c = 0; c < d; c++) n += p.wDec[i * d + c] ** 2;
      n = Math.sqrt(n);
      for (let c = 0; c < d; c++) {
        const want = ((2 * s) / rows) * (p.wDec[i * d + c] / n);
        expect(g1.wDec[i * d + c] - g0.wDec[i * d + c]).toBeCloseTo(want, 5);
      }
    }
  });
});

describe('JumpReLU straight-through estimator: a hand-computed case', () => {
  it('pins ∂L/∂log θ for one latent, two tokens, one inside the window', async () => {
    // d = 1, m = 1, B = 2. W_enc = W_dec = 1, b_enc = 0, b_dec = 0, θ = 0.5, ε = 0.2, λ = 0.3.
    // x = [0.55, 2]: pre = x. Token 0 is inside the window (|0.55 − 0.5| = 0.05 < 0.1), token 1
    // is not (|2 − 0.5| = 1.5). Both are active (pre > θ), so x̂ = x and ∂L/∂f = 0: only the
    // penalty reaches θ. ∂L/∂θ = −(1/ε)·K·(θ·0 + λ/B) = −(1/0.2)·(0.3/2) = −0.75, and
    // ∂L/∂log θ = θ·∂L/∂θ = 0.5·(−0.75) = −0.375.
    const backend = createCpuBackend();
    const config = resolveTrainConfig({
      architecture: 'jumprelu',
      dIn: 1,
      dSae: 1,
      batchSize: 2,
      l0Coefficient: 0.3,
      jumpreluBandwidth: 0.2,
      sparsityWarmupSteps: 0,
    });
    const g = new TrainGraph(backend, config);
    backend.write(g.params.wEnc, Float32Array.of(1));
    backend.write(g.params.wDec, Float32Array.of(1));
    backend.write(g.theta, Float32Array.of(0.5));
    backend.write(g.work(2).x, Float32Array.of(0.55, 2));
    g.forwardBackward(2, g.metrics[0], 1);
    expect((await backend.read(g.dense!.thresholdGrad!))[0]).toBeCloseTo(-0.375, 6);

    // Now token 0 falls just below θ (x = 0.45, still in the window, inactive): x̂_0 = 0, so
    // ∂L/∂f_0 = (2/B)(x̂_0 − x_0)·W_dec = (2/2)(0 − 0.45) = −0.45.
    // ∂L/∂θ = −(1/0.2)·(0.5·(−0.45) + 0.15) = −5·(−0.075) = 0.375; ∂L/∂log θ = 0.1875.
    backend.write(g.work(2).x, Float32Array.of(0.45, 2));
    g.forwardBackward(2, g.metrics[0], 1);
    expect((await backend.read(g.dense!.thresholdGrad!))[0]).toBeCloseTo(0.1875, 6);
    g.dispose();
  });
});
