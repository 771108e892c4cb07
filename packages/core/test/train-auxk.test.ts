import { createCpuBackend, SyntheticActivations, Trainer, type TrainingState } from '@saekit/core';
import { describe, expect, it } from 'vitest';

/**
 * Kill half the latents by shrinking their encoder rows 1000×: they then never win a top-k,
 * so without AuxK they get no gradient at all and stay dead; AuxK must bring them back.
 */
describe('AuxK revives dead latents', () => {
  it('dead fraction after training is far lower with α = 1/32 than with α = 0', async () => {
    const d = 32;
    const m = 256;
    const data = new SyntheticActivations({ dIn: d, nFeatures: 256, batchSize: 256, seed: 5 });
    const init = data.batch(1024);
    const batchList = Array.from({ length: 300 }, () => data.batch());
    const config = {
      dIn: d,
      dSae: m,
      k: 4,
      batchSize: 256,
      steps: 300,
      lr: 0.01,
      deadTokens: 2048,
    };
    const seedTrainer = await Trainer.create(createCpuBackend(), config, { initData: init });
    const state = await seedTrainer.saveState();
    const killed = Float32Array.from(state.arrays['wEnc']);
    for (let i = 0; i < m / 2; i++) for (let c = 0; c < d; c++) killed[i * d + c] *= 1e-3;

    const run = async (alpha: number) => {
      const s: TrainingState = {
        ...state,
        meta: { ...state.meta, config: { ...(state.meta['config'] as object), auxkAlpha: alpha } },
        arrays: { ...state.arrays, wEnc: killed.slice() },
      };
      const t = await Trainer.create(createCpuBackend(), null, { state: s });
      const dead: number[] = [];
      async function* source() {
        for (const b of batchList) yield b;
      }
      await t.train(source(), { onStep: (x) => void dead.push(x.deadFraction) });
      const firing = await t.firingCounts();
      t.dispose();
      return { dead, firing };
    };
    const without = await run(0);
    const withAux = await run(1 / 32);
    // Both runs see the killed half declared dead once deadTokens have passed.
    expect(without.dead[20]).toBeGreaterThanOrEqual(0.45);
    expect(withAux.dead[20]).toBeGreaterThanOrEqual(0.3);
    const firedKilled = (f: Float32Array) => f.subarray(0, m / 2).filter((v) => v > 0).length;
    // Without AuxK the killed half stays dead (a few win a near-zero token now and then).
    expect(without.dead.at(-1)).toBeGreaterThanOrEqual(0.4);
    expect(firedKilled(without.firing)).toBeLessThan(0.2 * (m / 2));
    // With AuxK nearly all of them fire again, and the dead fraction ends far lower.
    expect(firedKilled(withAux.firing)).toBeGreaterThan(0.9 * (m / 2));
    expect(withAux.dead.at(-1)).toBeLessThan(0.2);
    expect(withAux.dead.at(-1)!).toBeLessThan(without.dead.at(-1)! / 3);
  });
});
