import {
  createCpuBackend,
  featureAbsorption,
  Sae,
  SyntheticActivations,
  type SyntheticOptions,
  type TrainConfigInput,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { jumpreluTargetL0Three, type Outcome, recoveryData, train } from './synthetic-train.js';

/**
 * Synthetic ground truth for the architectures beyond Top-K. Each run prints one `figures`
 * line (the README quotes them): run with
 * `pnpm --filter @saekit/core exec vitest run test/train-architectures-synthetic.test.ts`.
 */

describe('JumpReLU and ReLU + L1 on synthetic ground truth', () => {
  // d = 32, 128 true features, ~3 active per token; m = 128 latents, 1000 steps of 256 tokens.
  const data = recoveryData(1);
  const shape = { dIn: 32, dSae: 128, batchSize: 256, steps: 1000, lr: 0.01, seed: 0 } as const;

  it('JumpReLU with targetL0 = 3 reaches L0 within ±15%; the pre-activation loss keeps latents alive', async () => {
    const topk = await train('topk k=3', data, { ...shape, k: 3 });
    const jumpShape: TrainConfigInput = { ...shape, ...jumpreluTargetL0Three };
    const plain = await train('jumprelu targetL0=3', data, jumpShape);
    const jump = await train('jumprelu targetL0=3 pre-act 0.1', data, {
      ...jumpShape,
      jumpreluPreActCoefficient: 0.1,
    });
    for (const o of [plain, jump]) {
      expect(Math.abs(o.l0 / 3 - 1)).toBeLessThan(0.15);
      expect(o.fvu).toBeLessThan(0.3);
    }
    // Without it ~15% of the latents die (no AuxK); with it almost none do (measured 0.15 and
    // 0.01, see the README).
    expect(plain.dead).toBeGreaterThan(0.08);
    expect(jump.dead).toBeLessThan(0.04);
    // Still a real gap to Top-K at the same L0 (measured 0.70 against 0.94; the README says why):
    // pinned at 0.3 so that it cannot widen silently.
    expect(topk.recovered).toBeGreaterThan(0.9);
    expect(jump.recovered).toBeGreaterThan(topk.recovered - 0.3);
    // BatchTopK, whose sparsity is not per token either, lands near JumpReLU with the same steps
    // (measured 0.68 against 0.70 here; 0.73 and 0.76 against 0.67 and 0.72 on data seeds 2
    // and 3, see the README): JumpReLU is pinned within 0.05 of it on this seed.
    const btk = await train('batchtopk k=3', data, {
      ...shape,
      k: 3,
      steps: 2000,
      architecture: 'batchtopk',
    });
    expect(btk.l0).toBeCloseTo(3, 1);
    for (const o of [plain, jump]) expect(o.recovered).toBeGreaterThan(btk.recovered - 0.05);
  }, 900_000);

  it("JumpReLU started from a trained Top-K's weights keeps its features, at a lower FVU", async () => {
    // The gap above is in the path, not in JumpReLU's loss: at Top-K's dictionary the JumpReLU
    // objective stays put (measured 0.92 recovered against Top-K's 0.94, FVU 0.18 against 0.21).
    const topk = await train('topk k=3', data, { ...shape, k: 3 });
    // θ₀ = 1.5 (scaled units) is about where a JumpReLU trained here settles its thresholds.
    const config: TrainConfigInput = {
      ...shape,
      architecture: 'jumprelu',
      targetL0: 3,
      l0Coefficient: 30,
      jumpreluBandwidth: 0.3,
      jumpreluInitThreshold: 1.5,
      sparsityWarmupSteps: 0,
    };
    // A fresh JumpReLU trainer's state (its θ at θ₀, zero Adam moments) with Top-K's trained
    // parameters and input scale in place of its own.
    const fresh = await Trainer.create(createCpuBackend(), config);
    const first = await new SyntheticActivations(data)[Symbol.asyncIterator]().next();
    fresh.initialize(first.value as Float32Array);
    const start = await fresh.saveState();
    fresh.dispose();
    const arrays = { ...start.arrays };
    for (const name of ['wEnc', 'bEnc', 'wDec', 'bDec']) arrays[name] = topk.state.arrays[name]!;
    const { inputScale, targetScale } = topk.state.meta;
    const meta = { ...start.meta, inputScale: inputScale!, targetScale: targetScale! };
    const warm = await train('jumprelu targetL0=3 from topk', data, config, {
      ...start,
      meta,
      arrays,
    });
    expect(Math.abs(warm.l0 / 3 - 1)).toBeLessThan(0.15);
    expect(warm.recovered).toBeGreaterThan(0.9);
    expect(warm.fvu).toBeLessThan(topk.fvu);
  }, 600_000);

  it('ReLU + L1 (λ = 3) recovers as many features as Top-K at its own L0', async () => {
    const std = await train('standard l1=3', data, {
      ...shape,
      architecture: 'standard',
      l1Coefficient: 3,
    });
    // λ sets the L0 (no target): with λ = 3 it settles near 3.8 here.
    expect(std.l0).toBeGreaterThan(2.5);
    expect(std.l0).toBeLessThan(5);
    const k = Math.round(std.l0);
    const topk = await train(`topk k=${k}`, data, { ...shape, k });
    expect(std.recovered).toBeGreaterThan(topk.recovered - 0.1);
  }, 600_000);
});

describe('Matryoshka BatchTopK on a hierarchy: less feature absorption than BatchTopK', () => {
  // 8 parents with 4 children each (when a parent fires, one child joins it 80% of the time),
  // plus 24 independent features; d = 32, m = 64, k = 3, 1500 steps of 256 tokens.
  const data: SyntheticOptions = {
    dIn: 32,
    nFeatures: 64,
    activePerToken: 3,
    frequencyExponent: 0.3,
    batchSize: 256,
    seed: 1,
    hierarchy: { parents: 8, childrenPerParent: 4, childProbability: 0.8 },
  };
  const shape = {
    dIn: 32,
    dSae: 64,
    k: 3,
    batchSize: 256,
    steps: 1500,
    lr: 0.01,
    seed: 0,
  } as const;

  async function absorptionOf(o: Outcome) {
    // Tokens the SAE has not seen: the training stream continued.
    const source = o.source;
    const held = source.sample(4096);
    const backend = createCpuBackend();
    const sae = Sae.fromWeights(backend, o.weights);
    try {
      const a = await featureAbsorption(
        sae,
        source.dictionary,
        source.children,
        held.activations,
        held.coefficients,
      );
      process.stdout.write(
        `figures ${JSON.stringify({ name: o.name, absorption: a.absorption, parentAloneMiss: a.parentAloneMiss })}\n`,
      );
      return a;
    } finally {
      sae.dispose();
    }
  }

  it('the parent latents stay on when a child fires', async () => {
    const btk = await train('batchtopk k=3', data, { ...shape, architecture: 'batchtopk' });
    const mat = await train('matryoshka k=3 [8, 16, 64]', data, {
      ...shape,
      architecture: 'matryoshka',
      matryoshkaWidths: [8, 16, 64],
    });
    // Same L0 (BatchTopK's batch-wide k), so the comparison is at equal sparsity.
    expect(btk.l0).toBeCloseTo(3, 1);
    expect(mat.l0).toBeCloseTo(3, 1);
    const [a, b] = [await absorptionOf(btk), await absorptionOf(mat)];
    // Measured 0.56 (BatchTopK) and 0.25 (Matryoshka).
    expect(b.absorption).toBeLessThan(0.6 * a.absorption);
    // Absorption beyond the baseline miss rate of the parent alone.
    expect(b.absorption - b.parentAloneMiss).toBeLessThan(a.absorption - a.parentAloneMiss);
  }, 600_000);
});
