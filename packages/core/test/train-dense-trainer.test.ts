import {
  ConfigError,
  createCpuBackend,
  evaluateSae,
  resolveTrainConfig,
  Sae,
  type SaeWeights,
  type StepMetrics,
  SyntheticActivations,
  type TrainConfigInput,
  Trainer,
  type TrainingState,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';

const shape = { dIn: 16, dSae: 64, batchSize: 64, steps: 30, seed: 7, initTokens: 128 } as const;
const configs: Record<'jumprelu' | 'standard', TrainConfigInput> = {
  jumprelu: {
    ...shape,
    architecture: 'jumprelu',
    targetL0: 6,
    jumpreluBandwidth: 0.05,
    jumpreluInitThreshold: 0.05,
    lr: 0.01,
    sparsityWarmupSteps: 5,
    clipGradNorm: 1,
  },
  standard: {
    ...shape,
    architecture: 'standard',
    l1Coefficient: 1,
    lr: 0.01,
    sparsityWarmupSteps: 5,
  },
};

function batches(n: number, seed = 3): Float32Array[] {
  const data = new SyntheticActivations({ dIn: 16, nFeatures: 48, batchSize: 64, seed });
  return Array.from({ length: n }, () => data.batch());
}

async function* iterate(list: Float32Array[]): AsyncGenerator<Float32Array> {
  for (const b of list) yield b;
}

function expectSameWeights(a: SaeWeights, b: SaeWeights): void {
  for (const key of ['wEnc', 'wDec', 'bEnc', 'bDec', 'threshold'] as const) {
    const [x, y] = [a[key], b[key]];
    if (x === undefined || y === undefined) {
      expect(y, key).toBe(x);
      continue;
    }
    expect(Buffer.from(x.buffer).equals(Buffer.from(y.buffer)), key).toBe(true);
  }
}

function roundTrip(state: TrainingState): TrainingState {
  const arrays: Record<string, Float32Array | Int32Array> = {};
  for (const [k, v] of Object.entries(state.arrays)) arrays[k] = v.slice();
  return { ...state, meta: JSON.parse(JSON.stringify(state.meta)), arrays };
}

describe.each(['jumprelu', 'standard'] as const)('%s training', (arch) => {
  const config = configs[arch];

  it('resumes from a mid-run state exactly (θ and its Adam moments included)', async () => {
    const data = batches(30);
    const full = await Trainer.create(createCpuBackend(), config);
    const fullMetrics: StepMetrics[] = [];
    await full.train(iterate(data), { onStep: (m) => void fullMetrics.push(m) });
    const first = await Trainer.create(createCpuBackend(), config);
    await first.train(iterate(data.slice(0, 11)));
    const state = roundTrip(await first.saveState());
    first.dispose();
    const resumed = await Trainer.create(createCpuBackend(), null, { state });
    const resumedMetrics: StepMetrics[] = [];
    await resumed.train(iterate(data.slice(11)), { onStep: (m) => void resumedMetrics.push(m) });
    const [a, b] = [await full.exportWeights(), await resumed.exportWeights()];
    expectSameWeights(a, b);
    const strip = ({ tokensPerSecond: _, ...m }: StepMetrics) => m;
    expect(resumedMetrics.map(strip)).toEqual(fullMetrics.slice(11).map(strip));
    if (arch === 'jumprelu') {
      expect(Object.keys(state.arrays)).toEqual(
        expect.arrayContaining(['threshold', 'adam_m.threshold', 'adam_v.threshold']),
      );
      // θ moved from its init, per latent (a trained parameter, not a constant).
      const th = a.threshold!;
      expect(new Set(th).size).toBeGreaterThan(10);
    }
  });

  it('reports a warmed-up sparsity penalty and keeps every value finite', async () => {
    const t = await Trainer.create(createCpuBackend(), config);
    const seen: StepMetrics[] = [];
    await t.train(iterate(batches(30)), { onStep: (m) => void seen.push(m) });
    for (const m of seen) {
      for (const [key, v] of Object.entries(m)) expect(Number.isFinite(v), `${key}`).toBe(true);
    }
    expect(seen[0].sparsityLoss).toBeDefined();
    if (arch === 'standard') {
      // λ·warm(t)·L1: the warmup ramps 1/5, 2/5, ... so the first penalty is a fifth of a full one.
      expect(seen[0].sparsityLoss!).toBeGreaterThan(0);
    }
    t.dispose();
  });

  it('exports weights that evaluate on raw activations exactly as the trainer trained them', async () => {
    // The export folds the input scale into b_enc, b_dec (and θ): evaluating the exported SAE
    // on raw data must match the trainer's own FVU and L0 on the same (scaled) batch. A step's
    // metrics are measured before its update, i.e. with the weights just exported.
    const data = batches(31);
    const t = await Trainer.create(createCpuBackend(), config);
    await t.train(iterate(data.slice(0, 30)));
    const w = await t.exportWeights();
    const trained = await t.step(data[30]);
    expect(t.inputScale).not.toBeCloseTo(1, 2);
    expect(w.architecture).toBe(arch);
    expect(w.k).toBeUndefined();
    if (arch === 'jumprelu') expect(w.threshold).toHaveLength(64);
    else expect(w.threshold).toBeUndefined();
    const backend = createCpuBackend();
    const sae = Sae.fromWeights(backend, w);
    const ev = await evaluateSae(backend, sae, [data[30]]);
    // A reference forward in float64 on the raw batch, straight from the exported weights.
    const x = data[30];
    const { dIn: d, dSae: m } = w;
    let num = 0;
    let active = 0;
    const mean = new Float64Array(d);
    for (let r = 0; r < 64; r++) for (let c = 0; c < d; c++) mean[c] += x[r * d + c] / 64;
    let den = 0;
    for (let r = 0; r < 64; r++) {
      const xhat = Float64Array.from(w.bDec);
      for (let i = 0; i < m; i++) {
        let pre = w.bEnc[i];
        for (let c = 0; c < d; c++) pre += (x[r * d + c] - w.bDec[c]) * w.wEnc[i * d + c];
        const on = arch === 'jumprelu' ? pre > w.threshold![i] : pre > 0;
        if (!on) continue;
        active++;
        for (let c = 0; c < d; c++) xhat[c] += pre * w.wDec[i * d + c];
      }
      for (let c = 0; c < d; c++) {
        num += (xhat[c] - x[r * d + c]) ** 2;
        den += (x[r * d + c] - mean[c]) ** 2;
      }
    }
    expect(ev.l0).toBeCloseTo(active / 64, 6);
    expect(ev.fvu).toBeCloseTo(num / den, 4);
    expect(ev.l0).toBeCloseTo(trained.l0, 6);
    expect(ev.fvu).toBeCloseTo(trained.fvu, 4);
    sae.dispose();
    t.dispose();
  });
});

describe('jumprelu threshold step', () => {
  it('is θ·exp(Δ) with Δ the Adam step on log θ, as float64 computes it, even at lr 1', async () => {
    // lr 1 makes Δ ≈ ∓1 on the first step, where θ·(1 + Δ) would reach 0 or 2θ instead of
    // θ/e or θ·e; later steps check Adam's bias corrections through the same formula.
    const config: TrainConfigInput = { ...configs.jumprelu, lr: 1, warmupSteps: 0 };
    const c = resolveTrainConfig(config);
    const t = await Trainer.create(createCpuBackend(), config);
    const data = batches(4);
    t.initialize(data[0]);
    let before = Float64Array.from((await t.saveState()).arrays.threshold, Number);
    let moved = 0;
    for (const batch of data) {
      const { step, lr } = await t.step(batch);
      const after = await t.saveState();
      const m = after.arrays['adam_m.threshold'];
      const v = after.arrays['adam_v.threshold'];
      const theta = after.arrays.threshold;
      for (let i = 0; i < theta.length; i++) {
        const mHat = m[i] / (1 - c.beta1 ** step);
        const vHat = v[i] / (1 - c.beta2 ** step);
        const want = before[i] * Math.exp((-lr * mHat) / (Math.sqrt(vHat) + c.eps));
        expect(Math.abs(theta[i] - want), `θ[${i}] at step ${step}`).toBeLessThanOrEqual(
          1e-5 * want,
        );
        if (Math.abs(theta[i] / before[i] - 1) > 0.5) moved++;
      }
      before = Float64Array.from(theta, Number);
    }
    // The check above covered large steps, not only θ's that stood still.
    expect(moved).toBeGreaterThan(10);
    t.dispose();
  });
});

describe('dense architectures: config', () => {
  it('fills the defaults (SAELens / Anthropic) and refuses keys of other architectures', () => {
    const j = resolveTrainConfig({ architecture: 'jumprelu', dIn: 8, dSae: 32, steps: 1000 });
    expect(j.k).toBeNull();
    expect(j.l0Coefficient).toBe(1);
    expect(j.jumpreluBandwidth).toBe(0.001);
    expect(j.jumpreluInitThreshold).toBe(0.001);
    expect(j.targetL0).toBeNull();
    expect(j.sparsityWarmupSteps).toBe(50);
    expect(j.auxkAlpha).toBe(0);
    const s = resolveTrainConfig({ architecture: 'standard', dIn: 8, dSae: 32 });
    expect(s.l1Coefficient).toBe(5);
    expect(s.decoderInitNorm).toBe(0.1);
    const err = (input: TrainConfigInput) => {
      try {
        resolveTrainConfig(input);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).key;
      }
      return null;
    };
    expect(err({ architecture: 'jumprelu', dIn: 8, dSae: 32, k: 4 })).toBe('k');
    expect(err({ architecture: 'standard', dIn: 8, dSae: 32, targetL0: 4 })).toBe('targetL0');
    expect(err({ architecture: 'topk', dIn: 8, dSae: 32, k: 4, l1Coefficient: 1 })).toBe(
      'l1Coefficient',
    );
    expect(err({ architecture: 'jumprelu', dIn: 8, dSae: 32, auxkAlpha: 0.1 })).toBe('auxkAlpha');
    expect(err({ architecture: 'jumprelu', dIn: 8, dSae: 32, targetL0: 64 })).toBe('targetL0');
    expect(err({ architecture: 'topk', dIn: 8, dSae: 32 })).toBe('k');
    // θ's log-space step is exact (θ·exp(Δ)), so no lr is too large for it to stay positive.
    expect(err({ architecture: 'jumprelu', dIn: 8, dSae: 32, lr: 2 })).toBeNull();
  });

  it('standard keeps W_dec rows free; jumprelu keeps them at unit norm', async () => {
    for (const arch of ['jumprelu', 'standard'] as const) {
      const t = await Trainer.create(createCpuBackend(), configs[arch]);
      await t.train(iterate(batches(10)));
      const w = await t.exportWeights();
      const norms = Array.from({ length: 64 }, (_, i) =>
        Math.hypot(...w.wDec.subarray(i * 16, (i + 1) * 16)),
      );
      if (arch === 'jumprelu') for (const n of norms) expect(n).toBeCloseTo(1, 5);
      else expect(norms.filter((n) => Math.abs(n - 0.1) > 1e-3).length).toBeGreaterThan(32);
      t.dispose();
    }
  });
});
