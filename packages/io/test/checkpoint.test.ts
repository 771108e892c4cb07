import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Architecture,
  ConfigError,
  createCpuBackend,
  Sae,
  type SaeWeights,
} from '@saekit/core';
import { describe, expect, it } from 'vitest';
import {
  FormatError,
  loadSae,
  readNpy,
  readSafetensors,
  readSafetensorsHeader,
  type SaeFormat,
  saveSae,
} from '../src/index.js';
import { fixture, randomFloats, withTempDir } from './helpers.js';
import { referenceForward } from './reference.js';

function randomWeights(architecture: Architecture, applyBDecToInput = true, seed = 1): SaeWeights {
  const dIn = 6;
  const dSae = 20;
  const positive = randomFloats(dSae, seed + 5).map(Math.abs);
  return {
    architecture,
    dIn,
    dSae,
    ...(architecture === 'topk' || architecture === 'batchtopk' ? { k: 3 } : {}),
    wEnc: randomFloats(dSae * dIn, seed),
    wDec: randomFloats(dSae * dIn, seed + 1),
    bEnc: randomFloats(dSae, seed + 2),
    bDec: randomFloats(dIn, seed + 3),
    ...(architecture === 'jumprelu' || architecture === 'batchtopk' ? { threshold: positive } : {}),
    applyBDecToInput,
    ...(architecture === 'jumprelu' && !applyBDecToInput ? {} : { foldedInputScale: 0.75 }),
  };
}

/** Bit-level equality of every array, and equality of every other field. */
function expectBitIdentical(a: SaeWeights, b: SaeWeights): void {
  const bits = (x: Float32Array | undefined) =>
    x === undefined ? undefined : Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
  expect({
    ...b,
    wEnc: bits(b.wEnc),
    wDec: bits(b.wDec),
    bEnc: bits(b.bEnc),
    bDec: bits(b.bDec),
    threshold: bits(b.threshold),
  }).toEqual({
    ...a,
    wEnc: bits(a.wEnc),
    wDec: bits(a.wDec),
    bEnc: bits(a.bEnc),
    bDec: bits(a.bDec),
    threshold: bits(a.threshold),
  });
}

describe('checkpoints written by the Python layouts (numpy fixtures)', () => {
  const cases: [string, SaeFormat, Architecture, boolean][] = [
    ['saelens_topk', 'saelens', 'topk', true],
    ['saelens_jumprelu', 'saelens', 'jumprelu', false],
    ['sparsify_topk', 'sparsify', 'topk', true],
    ['gemma_scope', 'gemma-scope', 'jumprelu', false],
  ];
  for (const [name, format, architecture, applyBDec] of cases) {
    it(`${name}: detected as ${format}; encode/decode matches numpy's forward pass`, async () => {
      const loaded = await loadSae(fixture('checkpoints', name));
      expect(loaded.format).toBe(format);
      const w = loaded.weights;
      expect(w).toMatchObject({ architecture, dIn: 8, dSae: 32, applyBDecToInput: applyBDec });
      if (architecture === 'topk') expect(w.k).toBe(4);
      const x = (await readNpy(fixture('checkpoints', name, 'x.npy'))).data as Float32Array;
      const wantActs = (await readNpy(fixture('checkpoints', name, 'expected_acts.npy')))
        .data as Float32Array;
      const wantOut = (await readNpy(fixture('checkpoints', name, 'expected_out.npy')))
        .data as Float32Array;
      const { acts, out } = referenceForward(w, x, 6);
      for (let i = 0; i < wantActs.length; i++) expect(acts[i]).toBeCloseTo(wantActs[i], 4);
      for (let i = 0; i < wantOut.length; i++) expect(out[i]).toBeCloseTo(wantOut[i], 4);
    });
  }

  for (const [name] of cases) {
    it(`${name}: runs through core's Sae on the cpu backend and reproduces numpy's outputs`, async () => {
      const { weights } = await loadSae(fixture('checkpoints', name));
      const x = (await readNpy(fixture('checkpoints', name, 'x.npy'))).data as Float32Array;
      const wantActs = (await readNpy(fixture('checkpoints', name, 'expected_acts.npy')))
        .data as Float32Array;
      const wantOut = (await readNpy(fixture('checkpoints', name, 'expected_out.npy')))
        .data as Float32Array;
      const sae = Sae.fromWeights(createCpuBackend(), weights);
      try {
        const out = await sae.reconstructHost(x, 6);
        for (let i = 0; i < wantOut.length; i++) expect(out[i]).toBeCloseTo(wantOut[i], 4);
        const code = await sae.encodeHost(x, 6);
        const dense = new Float32Array(6 * 32);
        for (let r = 0; r < 6; r++) {
          for (let j = 0; j < code.width; j++) {
            const idx = code.indices[r * code.width + j];
            if (idx >= 0) dense[r * 32 + idx] = code.values[r * code.width + j];
          }
        }
        for (let i = 0; i < wantActs.length; i++) expect(dense[i]).toBeCloseTo(wantActs[i], 4);
      } finally {
        sae.dispose();
      }
    });
  }

  it('reads the SAELens sparsity file and keeps cfg as stored', async () => {
    const loaded = await loadSae(fixture('checkpoints', 'saelens_topk'));
    expect(loaded.sparsity?.length).toBe(32);
    expect(loaded.sparsity?.[0]).toBeCloseTo(-5, 5);
    expect(loaded.cfg['metadata']).toMatchObject({ hook_name: 'blocks.8.hook_resid_pre' });
  });

  it('accepts a path to a file inside the checkpoint folder', async () => {
    const loaded = await loadSae(fixture('checkpoints', 'sparsify_topk', 'cfg.json'));
    expect(loaded.format).toBe('sparsify');
  });
});

describe('saveSae → loadSae round trips are bit-identical', () => {
  const cases: [SaeFormat, Architecture, boolean][] = [
    ['saelens', 'topk', true],
    ['saelens', 'jumprelu', false],
    ['saelens', 'jumprelu', true],
    ['saelens', 'standard', true],
    ['saelens', 'batchtopk', true],
    ['sparsify', 'topk', true],
    ['gemma-scope', 'jumprelu', false],
  ];
  for (const [format, architecture, applyBDec] of cases) {
    it(`${format} ${architecture} (b_dec on input: ${applyBDec})`, async () => {
      await withTempDir(async (dir) => {
        const w = randomWeights(architecture, applyBDec);
        await saveSae(dir, w, { format });
        const back = await loadSae(dir);
        expect(back.format).toBe(format);
        expectBitIdentical(w, back.weights);
        expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    });
  }

  it('writes the SAELens v6 layout: transposed W_enc, cfg keys, metadata, sparsity', async () => {
    await withTempDir(async (dir) => {
      const w = randomWeights('topk');
      const sparsity = randomFloats(20, 9);
      await saveSae(dir, w, {
        metadata: { model_name: 'gpt2', hook_name: 'blocks.8.hook_resid_pre', hook_layer: 8 },
        sparsity,
        saekit: { input_scale_folded: 1.5 },
      });
      expect((await readdir(dir)).sort()).toEqual([
        'cfg.json',
        'sae_weights.safetensors',
        'sparsity.safetensors',
      ]);
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      const shapes = Object.fromEntries(header.entries.map((e) => [e.name, [e.dtype, e.shape]]));
      expect(shapes).toEqual({
        W_enc: ['F32', [6, 20]],
        W_dec: ['F32', [20, 6]],
        b_enc: ['F32', [20]],
        b_dec: ['F32', [6]],
      });
      const st = await readSafetensors(join(dir, 'sae_weights.safetensors'));
      // W_enc[i, j] on disk == wEnc[j, i] in memory.
      expect((st.tensors['W_enc'].data as Float32Array)[1 * 20 + 3]).toBe(w.wEnc[3 * 6 + 1]);
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      expect(cfg).toMatchObject({
        architecture: 'topk',
        d_in: 6,
        d_sae: 20,
        k: 3,
        dtype: 'float32',
        device: 'cpu',
        apply_b_dec_to_input: true,
        normalize_activations: 'none',
        metadata: {
          model_name: 'gpt2',
          hook_name: 'blocks.8.hook_resid_pre',
          hook_layer: 8,
          sae_lens_version: '6.0.0',
        },
        saekit: { input_scale_folded: 1.5, architecture: 'topk', k: 3, folded_input_scale: 0.75 },
      });
      const back = await loadSae(dir);
      expect(back.sparsity).toEqual(sparsity);
    });
  });

  it('writes batchtopk as SAELens jumprelu with its threshold', async () => {
    await withTempDir(async (dir) => {
      await saveSae(dir, randomWeights('batchtopk'));
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      expect(cfg.architecture).toBe('jumprelu');
      const header = await readSafetensorsHeader(join(dir, 'sae_weights.safetensors'));
      expect(header.entries.map((e) => e.name).sort()).toEqual([
        'W_dec',
        'W_enc',
        'b_dec',
        'b_enc',
        'threshold',
      ]);
    });
  });

  it('writes sparsify cfg.json and bf16 weights that read back to bf16 precision', async () => {
    await withTempDir(async (dir) => {
      const w = randomWeights('topk');
      await saveSae(dir, w, { format: 'sparsify', dtype: 'bfloat16' });
      const cfg = JSON.parse(await readFile(join(dir, 'cfg.json'), 'utf8'));
      expect(cfg).toEqual({
        activation: 'topk',
        expansion_factor: 3,
        normalize_decoder: true,
        num_latents: 20,
        k: 3,
        multi_topk: false,
        skip_connection: false,
        transcode: false,
        d_in: 6,
        saekit: { folded_input_scale: 0.75 },
      });
      const st = await readSafetensors(join(dir, 'sae.safetensors'));
      expect(st.metadata).toEqual({ format: 'pt' });
      expect(st.tensors['encoder.weight']).toMatchObject({ dtype: 'BF16', shape: [20, 6] });
      const back = (await loadSae(dir)).weights;
      for (let i = 0; i < w.wEnc.length; i++) {
        expect(Math.abs(back.wEnc[i] - w.wEnc[i])).toBeLessThanOrEqual(Math.abs(w.wEnc[i]) / 128);
      }
    });
  });

  it('refuses to write what a format cannot hold', async () => {
    await withTempDir(async (dir) => {
      await expect(saveSae(dir, randomWeights('jumprelu'), { format: 'sparsify' })).rejects.toThrow(
        ConfigError,
      );
      await expect(saveSae(dir, randomWeights('topk'), { format: 'gemma-scope' })).rejects.toThrow(
        ConfigError,
      );
      await expect(
        saveSae(dir, randomWeights('topk'), { sparsity: new Float32Array(3) }),
      ).rejects.toThrow(/sparsity/);
    });
  });
});

describe('malformed checkpoints are FormatErrors naming the file', () => {
  it('a folder that is not a checkpoint lists what it found', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'notes.txt'), 'hi');
      await expect(loadSae(dir)).rejects.toThrow(/not an SAE checkpoint.*found notes\.txt/);
      await expect(loadSae(join(dir, 'missing'))).rejects.toThrow(FormatError);
    });
  });

  it('bad cfg.json, unsupported architecture, wrong shapes, missing tensors', async () => {
    await withTempDir(async (dir) => {
      await saveSae(dir, randomWeights('topk'));
      const cfgPath = join(dir, 'cfg.json');
      const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
      await writeFile(cfgPath, '{not json');
      await expect(loadSae(dir)).rejects.toThrow(new RegExp(`${cfgPath}: not valid JSON`));
      await writeFile(cfgPath, JSON.stringify({ ...cfg, architecture: 'gated' }));
      await expect(loadSae(dir)).rejects.toThrow(/architecture 'gated' is not supported/);
      await writeFile(cfgPath, JSON.stringify({ ...cfg, d_sae: 21 }));
      await expect(loadSae(dir)).rejects.toThrow(
        /sae_weights\.safetensors: tensor 'W_enc' has shape \[6,20\], expected \[6,21\]/,
      );
      await writeFile(cfgPath, JSON.stringify({ ...cfg, k: 0 }));
      await expect(loadSae(dir)).rejects.toThrow(/'k' must be a positive integer/);
      await writeFile(
        cfgPath,
        JSON.stringify({ ...cfg, normalize_activations: 'expected_average_only_in' }),
      );
      await expect(loadSae(dir)).rejects.toThrow(/normalize_activations/);
      await writeFile(cfgPath, JSON.stringify({ ...cfg, architecture: 'jumprelu', saekit: {} }));
      await expect(loadSae(dir)).rejects.toThrow(/missing tensor 'threshold'/);
    });
  });

  it('sparsify checkpoints with a skip connection or transcoder are refused', async () => {
    await withTempDir(async (dir) => {
      await saveSae(dir, randomWeights('topk'), { format: 'sparsify' });
      const cfgPath = join(dir, 'cfg.json');
      const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
      await writeFile(cfgPath, JSON.stringify({ ...cfg, skip_connection: true }));
      await expect(loadSae(dir)).rejects.toThrow(/skip_connection true is not supported/);
      await writeFile(cfgPath, JSON.stringify({ ...cfg, activation: 'groupmax' }));
      await expect(loadSae(dir)).rejects.toThrow(/activation 'groupmax'/);
    });
  });
});
