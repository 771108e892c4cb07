import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  createCpuBackend,
  pairedBatch,
  Sae,
  SyntheticActivations,
  Trainer,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  FormatError,
  formatRefusal,
  loadSae,
  readSafetensors,
  readSafetensorsHeader,
  saveSae,
  writeSafetensors,
} from '../src/index.js';
import { evaluateOnCpu as evaluate, withTempDir } from './helpers.js';
import { referenceForward } from './reference.js';

const D = 16;

/** A Top-K (or BatchTopK) transcoder trained briefly on synthetic input → target data. */
async function trained(architecture: 'topk' | 'batchtopk') {
  const data = new SyntheticActivations({
    dIn: D,
    nFeatures: 48,
    batchSize: 128,
    seed: 5,
    transcoder: true,
  });
  const t = await Trainer.create(createCpuBackend(), {
    dIn: D,
    dSae: 64,
    k: 4,
    architecture,
    batchSize: 128,
    steps: 200,
    seed: 3,
    lr: 0.01,
    targetTensor: 'mlp_out',
  });
  await t.train(data);
  const weights = await t.exportWeights();
  t.dispose();
  return { weights, heldOut: [data.batch(), data.batch()] };
}

/** The input block of a paired batch. */
const inputOf = (batch: Float32Array) => batch.subarray(0, batch.length / 2);

describe('a trained Top-K transcoder, saved as SAELens and sparsify save transcoders', () => {
  it('SAELens layout: topk with d_out and no b_dec on input, read back with the same FVU against the target', async () => {
    const { weights, heldOut } = await trained('topk');
    expect(weights.transcoder).toBe(true);
    await withTempDir(async (dir) => {
      await saveSae(dir, weights);
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      // SAELens has no Top-K transcoder class: its TopKSAE with apply_b_dec_to_input false
      // computes topk(x·W_enc + b_enc)·W_dec + b_dec, the same function.
      expect(cfg).toMatchObject({
        architecture: 'topk',
        d_in: D,
        d_out: D,
        d_sae: 64,
        k: 4,
        apply_b_dec_to_input: false,
        normalize_activations: 'none',
        saekit: { transcoder: true },
      });
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      expect(Object.fromEntries(header.entries.map((e) => [e.name, e.shape]))).toEqual({
        W_enc: [D, 64],
        W_dec: [64, D],
        b_enc: [64],
        b_dec: [D],
      });
      const loaded = await loadSae(dir);
      expect(loaded.weights).toMatchObject({ architecture: 'topk', transcoder: true });
      expect(loaded.weights.applyBDecToInput).toBe(false);
      const [a, b] = [await evaluate(weights, heldOut), await evaluate(loaded.weights, heldOut)];
      expect(b.fvu).toBe(a.fvu);
      expect(b.l0).toBe(a.l0);
      // Against the target, and a trained transcoder: far better than predicting the mean.
      expect(a.fvu).toBeLessThan(0.6);
      // The file means what SAELens computes: the plain forward on the file's tensors.
      const { tensors } = await readSafetensors(join(dir, 'sae_weights.safetensors'));
      const wEnc = tensors['W_enc'].data as Float32Array;
      const latentMajor = new Float32Array(64 * D);
      for (let i = 0; i < D; i++)
        for (let j = 0; j < 64; j++) latentMajor[j * D + i] = wEnc[i * 64 + j];
      const x = inputOf(heldOut[0]);
      const ref = referenceForward(
        {
          ...weights,
          wEnc: latentMajor,
          wDec: tensors['W_dec'].data as Float32Array,
          bEnc: tensors['b_enc'].data as Float32Array,
          bDec: tensors['b_dec'].data as Float32Array,
          applyBDecToInput: cfg.apply_b_dec_to_input,
        },
        x,
        128,
      );
      const backend = createCpuBackend();
      const sae = Sae.fromWeights(backend, loaded.weights);
      const got = await sae.reconstructHost(x);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(ref.out[i], 4);
      sae.dispose();
    });
  });

  it('sparsify layout: transcode true; converts both ways with the same FVU', async () => {
    const { weights, heldOut } = await trained('topk');
    await withTempDir(async (dir) => {
      await saveSae(join(dir, 'sp'), weights, { format: 'sparsify' });
      const cfg = JSON.parse(await readFile(join(dir, 'sp', 'cfg.json'), 'utf8'));
      expect(cfg).toMatchObject({ transcode: true, skip_connection: false, k: 4, d_in: D });
      const sp = await loadSae(join(dir, 'sp'));
      expect(sp.weights).toMatchObject({ transcoder: true, applyBDecToInput: false });
      await saveSae(join(dir, 'back'), sp.weights);
      const back = await loadSae(join(dir, 'back'));
      const want = await evaluate(weights, heldOut);
      expect((await evaluate(sp.weights, heldOut)).fvu).toBe(want.fvu);
      expect((await evaluate(back.weights, heldOut)).fvu).toBe(want.fvu);
      // An SAE that skips b_dec on input is still refused: only a transcoder may.
      expect(formatRefusal('sparsify', { ...weights, transcoder: false })).toMatch(
        /always subtracts b_dec/,
      );
    });
  });

  it('Gemma Scope refuses it with a reason; an SAE eval of a transcoder wants paired batches', async () => {
    const { weights, heldOut } = await trained('topk');
    await withTempDir(async (dir) => {
      const err = await saveSae(dir, weights, { format: 'gemma-scope' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/does not record that a model is a transcoder/);
    });
    // Input rows alone: half the values a paired batch has, so not whole (input, target) rows
    // of an odd number of rows.
    await expect(evaluate(weights, [inputOf(heldOut[0]).subarray(0, 3 * D)])).rejects.toThrow(
      /2 × dIn/,
    );
  });
});

describe('a trained BatchTopK transcoder', () => {
  it('is saved as SAELens’s jumprelu_transcoder with the learned threshold, same FVU and L0', async () => {
    const { weights, heldOut } = await trained('batchtopk');
    await withTempDir(async (dir) => {
      await saveSae(dir, weights);
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      expect(cfg).toMatchObject({
        architecture: 'jumprelu_transcoder',
        d_in: D,
        d_out: D,
        apply_b_dec_to_input: false,
      });
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      expect(header.entries.map((e) => e.name).sort()).toEqual([
        'W_dec',
        'W_enc',
        'b_dec',
        'b_enc',
        'threshold',
      ]);
      const loaded = await loadSae(dir);
      expect(loaded.weights).toMatchObject({ transcoder: true, architecture: 'batchtopk' });
      const [a, b] = [await evaluate(weights, heldOut), await evaluate(loaded.weights, heldOut)];
      expect(b.fvu).toBe(a.fvu);
      expect(b.l0).toBe(a.l0);
      // Gemma Scope cannot hold a transcoder either, so it is not offered.
      expect(formatRefusal('sparsify', weights)).toMatch(/save it as saelens$/);
    });
  });
});

describe('SAELens transcoder files written by SAELens', () => {
  async function write(dir: string, cfg: object, extra: Record<string, Float32Array> = {}) {
    const f = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    await writeSafetensors(join(dir, 'sae_weights.safetensors'), {
      W_enc: { shape: [4, 8], data: f(32) },
      W_dec: { shape: [8, 4], data: f(32) },
      b_enc: { shape: [8], data: f(8) },
      b_dec: { shape: [4], data: f(4) },
      ...Object.fromEntries(
        Object.entries(extra).map(([k, v]) => [k, { shape: [v.length], data: v }]),
      ),
    });
    await writeFile(join(dir, 'cfg.json'), JSON.stringify(cfg));
  }
  const base = {
    d_in: 4,
    d_out: 4,
    d_sae: 8,
    apply_b_dec_to_input: false,
    metadata: {
      sae_lens_version: '6.5.0',
      hook_name: 'blocks.0.ln2.hook_normalized',
      hook_name_out: 'blocks.0.hook_mlp_out',
    },
  };

  it('transcoder (ReLU) and jumprelu_transcoder read as transcoders with SAELens semantics', async () => {
    await withTempDir(async (dir) => {
      await write(dir, { ...base, architecture: 'transcoder' });
      const relu = await loadSae(dir);
      expect(relu.weights).toMatchObject({
        architecture: 'standard',
        transcoder: true,
        applyBDecToInput: false,
      });
      expect(relu.metadata['hook_name_out']).toBe('blocks.0.hook_mlp_out');
      await write(
        dir,
        { ...base, architecture: 'jumprelu_transcoder' },
        { threshold: new Float32Array(8).fill(0.1) },
      );
      const jump = await loadSae(dir);
      expect(jump.weights).toMatchObject({ architecture: 'jumprelu', transcoder: true });
      // SAELens's JumpReLUTranscoder: relu(x·W_enc + b_enc) where pre > threshold, no b_dec on
      // input, then ·W_dec + b_dec. saekit computes the same on the file's tensors.
      const x = Float32Array.from({ length: 5 * 4 }, (_, i) => Math.cos(i * 0.7));
      const backend = createCpuBackend();
      for (const loaded of [relu, jump]) {
        const sae = Sae.fromWeights(backend, loaded.weights);
        const got = await sae.reconstructHost(x);
        const ref = referenceForward({ ...loaded.weights, applyBDecToInput: false }, x, 5);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(ref.out[i], 5);
        sae.dispose();
      }
      // Saved again, each keeps its SAELens class.
      await saveSae(join(dir, 'again'), jump.weights);
      const cfg = JSON.parse(await readFile(join(dir, 'again', 'cfg.json'), 'utf8'));
      expect(cfg.architecture).toBe('jumprelu_transcoder');
    });
  });

  it('skip_transcoder, d_out ≠ d_in and apply_b_dec_to_input true are refused, naming the file', async () => {
    await withTempDir(async (dir) => {
      await write(dir, { ...base, architecture: 'skip_transcoder' });
      await expect(loadSae(dir)).rejects.toThrow(FormatError);
      await expect(loadSae(dir)).rejects.toThrow(
        /cfg\.json: architecture 'skip_transcoder' is not supported.*W_skip/,
      );
      await write(dir, { ...base, architecture: 'transcoder', d_out: 6 });
      await expect(loadSae(dir)).rejects.toThrow(/d_out 6 ≠ d_in 4 is not supported/);
      await write(dir, { ...base, architecture: 'transcoder', apply_b_dec_to_input: true });
      await expect(loadSae(dir)).rejects.toThrow(/apply_b_dec_to_input true on a transcoder/);
    });
  });
});

describe('paired evaluation batches', () => {
  it('the FVU is against the target: the same SAE scored on (x, x) pairs is an SAE’s FVU', async () => {
    const { weights, heldOut } = await trained('topk');
    const x = inputOf(heldOut[0]);
    const asSae = { ...weights, transcoder: false };
    const selfPaired = await evaluate(weights, [pairedBatch(x, x, 128)]);
    const plain = await evaluate(asSae, [x]);
    expect(selfPaired.fvu).toBe(plain.fvu);
    const real = await evaluate(weights, [heldOut[0]]);
    expect(Math.abs(real.fvu - plain.fvu)).toBeGreaterThan(0.1);
  });
});
