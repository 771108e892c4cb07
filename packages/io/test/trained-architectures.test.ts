import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  createCpuBackend,
  SyntheticActivations,
  type TrainConfigInput,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import { formatRefusal, loadSae, readSafetensorsHeader, saveSae } from '../src/index.js';
import { evaluateOnCpu as evaluate, withTempDir } from './helpers.js';

const shape = { dIn: 16, dSae: 64, batchSize: 128, steps: 25, seed: 3, lr: 0.01 } as const;
const configs: Record<'jumprelu' | 'standard', TrainConfigInput> = {
  jumprelu: {
    ...shape,
    architecture: 'jumprelu',
    targetL0: 6,
    jumpreluBandwidth: 0.1,
    jumpreluInitThreshold: 0.1,
  },
  standard: { ...shape, architecture: 'standard', l1Coefficient: 1 },
};

async function trained(arch: 'jumprelu' | 'standard') {
  const data = new SyntheticActivations({ dIn: 16, nFeatures: 48, batchSize: 128, seed: 5 });
  const t = await Trainer.create(createCpuBackend(), configs[arch]);
  await t.train(data);
  const weights = await t.exportWeights();
  t.dispose();
  return { weights, heldOut: [data.batch(), data.batch()] };
}

describe.each(['jumprelu', 'standard'] as const)('a trained %s SAE in SAELens layout', (arch) => {
  it('has SAELens semantics on disk and the same FVU / L0 after reading back', async () => {
    const { weights, heldOut } = await trained(arch);
    await withTempDir(async (dir) => {
      await saveSae(dir, weights);
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      // SAELens picks the class from `architecture`; neither has a k.
      expect(cfg).toMatchObject({
        architecture: arch,
        d_in: 16,
        d_sae: 64,
        apply_b_dec_to_input: true,
        normalize_activations: 'none',
      });
      expect(cfg.k).toBeUndefined();
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      const shapes = Object.fromEntries(header.entries.map((e) => [e.name, e.shape]));
      expect(shapes).toEqual({
        W_enc: [16, 64],
        W_dec: [64, 16],
        b_enc: [64],
        b_dec: [16],
        // SAELens saves JumpReLU's exp(log_threshold) as `threshold` (raw units here).
        ...(arch === 'jumprelu' ? { threshold: [64] } : {}),
      });
      const loaded = await loadSae(dir);
      expect(loaded.weights.architecture).toBe(arch);
      if (arch === 'jumprelu') {
        expect(Array.from(loaded.weights.threshold!)).toEqual(Array.from(weights.threshold!));
      }
      const [a, b] = [await evaluate(weights, heldOut), await evaluate(loaded.weights, heldOut)];
      expect(b.fvu).toBe(a.fvu);
      expect(b.l0).toBe(a.l0);
      // A trained SAE, not a degenerate one: it reconstructs and it is sparse.
      expect(a.fvu).toBeLessThan(0.5);
      expect(a.l0).toBeGreaterThan(0.5);
      expect(a.l0).toBeLessThan(32);
    });
  });

  it('refuses sparsify with a reason', async () => {
    const { weights } = await trained(arch);
    await withTempDir(async (dir) => {
      const err = await saveSae(dir, weights, { format: 'sparsify' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/top k latents per token/);
      expect((err as Error).message).toMatch(/save it as saelens/);
      expect(formatRefusal('sparsify', weights)).toBe(
        (err as Error).message.replace("invalid config 'format': ", ''),
      );
    });
  });
});

describe('a trained Matryoshka SAE', () => {
  it('is saved as SAELens saves it for inference: a JumpReLU with the learned threshold, prefix sizes in cfg', async () => {
    const data = new SyntheticActivations({ dIn: 16, nFeatures: 48, batchSize: 128, seed: 5 });
    const t = await Trainer.create(createCpuBackend(), {
      ...shape,
      k: 4,
      architecture: 'matryoshka',
      matryoshkaWidths: [8, 24, 64],
    });
    await t.train(data);
    const weights = await t.exportWeights();
    t.dispose();
    const heldOut = [data.batch(), data.batch()];
    await withTempDir(async (dir) => {
      await saveSae(dir, weights);
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      expect(cfg.architecture).toBe('jumprelu');
      expect(cfg.saekit).toMatchObject({
        architecture: 'batchtopk',
        k: 4,
        matryoshka_widths: [8, 24, 64],
      });
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      expect(header.entries.find((e) => e.name === 'threshold')?.shape).toEqual([64]);
      const loaded = await loadSae(dir);
      expect(loaded.weights.matryoshkaWidths).toEqual([8, 24, 64]);
      const [a, b] = [await evaluate(weights, heldOut), await evaluate(loaded.weights, heldOut)];
      expect(b.fvu).toBe(a.fvu);
      expect(b.l0).toBe(a.l0);
      // θ (an average of the batch thresholds) fires latents on raw tokens.
      expect(a.l0).toBeGreaterThan(0.5);
      const err = await saveSae(dir, weights, { format: 'sparsify' }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/no per-latent threshold/);
    });
  });
});
